import { z } from 'zod';
import { countUpTo, positiveInt, urlString } from '@app/config';
import type { MailTransportConfig } from './create-mail-transport';

const HTTP = ['http:', 'https:'] as const;

/** "name <a@b>" or "a@b": enough to catch a missing address without a full RFC 5322 parser. */
const MAILBOX = /^(?:[^<>]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/;

/**
 * Where the mails and the page point: the page's own address (the mail's verify link) and the
 * Visma Connect login the R4 next step leads to. One schema, so both read the same rule.
 */
export const linkTargetsEnvSchema = z.object({
  PUBLIC_BASE_URL: urlString(HTTP, 'must be an http:// or https:// URL'),
  LOGIN_URL: urlString(HTTP, 'must be an http:// or https:// URL'),
});

export const mailEnvSchema = linkTargetsEnvSchema.extend({
  // Unset or empty (docker-compose's "SMTP_URL=") both mean: write .eml files instead.
  SMTP_URL: z.preprocess(
    (raw) => (typeof raw === 'string' && raw.trim() === '' ? undefined : raw),
    urlString(['smtp:', 'smtps:'], 'must be an smtp:// or smtps:// URL').optional(),
  ),
  MAIL_FROM: z
    .string()
    .trim()
    .regex(MAILBOX, 'must be an address, e.g. "Flex HRM <no-reply@example.se>"')
    .default('Flex HRM <no-reply@flexhrm.example>'),
  MAIL_OUTBOX_DIR: z.string().trim().min(1).default('.mail-outbox'),
  SMTP_MAX_CONNECTIONS: positiveInt(5),
  SMTP_RATE_PER_SECOND: positiveInt(50),
  // How long the relay may take to connect, greet or answer a command. Also how long a mail
  // claimed by a sender that died stays its own before another sends it (docs/guarantees.md).
  SMTP_TIMEOUT_MS: positiveInt(30_000),
  // Worker threads that build the MIME messages, off the event loop; 0 builds them on it.
  SMTP_COMPOSE_THREADS: countUpTo(1, 16),
  MESSAGE_ID_DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'must be a host name (letters, digits, . and -)')
    .default('connect-provisioning.local'),
});

export type MailEnv = z.output<typeof mailEnvSchema>;

export function mailTransportConfigFrom(env: MailEnv): MailTransportConfig {
  return {
    smtpUrl: env.SMTP_URL,
    outboxDir: env.MAIL_OUTBOX_DIR,
    maxConnections: env.SMTP_MAX_CONNECTIONS,
    ratePerSecond: env.SMTP_RATE_PER_SECOND,
    timeoutMs: env.SMTP_TIMEOUT_MS,
    composeThreads: env.SMTP_COMPOSE_THREADS,
  };
}

/**
 * `<PUBLIC_BASE_URL>/verify/<token>` (spec: the verification link). A base URL with a path or a
 * trailing slash keeps its path; the token is encoded so it can never change the URL's shape.
 */
export function verifyUrlFor(publicBaseUrl: string, token: string): string {
  const base = new URL(publicBaseUrl);
  base.pathname = `${base.pathname.replace(/\/+$/, '')}/verify/${encodeURIComponent(token)}`;
  base.search = '';
  base.hash = '';
  return base.toString();
}
