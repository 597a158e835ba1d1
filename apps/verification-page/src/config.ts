import { z } from 'zod';
import {
  loadConfig,
  logLevel,
  positiveInt,
  urlString,
  type Environment,
  portNumber,
} from '@app/config';
import { kafkaEnvSchema } from '@app/messaging';
import { linkRetentionEnvSchema, mongoEnvSchema } from '@app/persistence';

const HTTP = ['http:', 'https:'] as const;

const pageEnvSchema = kafkaEnvSchema
  .extend(mongoEnvSchema.shape)
  .extend(linkRetentionEnvSchema.shape)
  .extend({
    LOG_LEVEL: logLevel,
    PAGE_HOST: z.string().min(1).default('127.0.0.1'),
    PAGE_PORT: portNumber(8080),
    HEALTH_PORT: portNumber(8082),
    // Where the mails point: https makes the CSRF cookie Secure and __Host- prefixed.
    PUBLIC_BASE_URL: urlString(HTTP, 'must be an http:// or https:// URL'),
    LOGIN_URL: urlString(HTTP, 'must be an http:// or https:// URL'),
    // Signs the form's CSRF token. Several instances behind one address must share it.
    PAGE_CSRF_SECRET: z
      .string()
      .min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)')
      .optional(),
    // Requests per minute from one IP address to /verify; mail scanners and people stay far below.
    PAGE_RATE_LIMIT_PER_MINUTE: positiveInt(30),
    // Every /verify answer takes at least this long, so timing tells nothing about a token.
    PAGE_MIN_RESPONSE_MS: positiveInt(300),
    // Behind a reverse proxy: how many hops of X-Forwarded-For to trust for the client's IP.
    PAGE_TRUSTED_PROXIES: z.coerce
      .number({ error: 'must be a whole number of proxies (0: none)' })
      .int()
      .min(0)
      .default(0),
    OUTBOX_SWEEP_INTERVAL_MS: positiveInt(5_000),
    OUTBOX_GRACE_MS: positiveInt(10_000),
  });

export type PageConfig = z.output<typeof pageEnvSchema>;

export function loadPageConfig(env: Environment = process.env): PageConfig {
  return loadConfig(pageEnvSchema, env);
}
