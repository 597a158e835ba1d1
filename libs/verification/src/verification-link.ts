import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sameAddress } from './email-address';
import type { UserState } from './user-state';

/** How long a verification link works unless configured otherwise. */
export const DEFAULT_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * One verification link as stored: the token's hash and what it opens. A record of its own,
 * inserted once, so issuing a link never rewrites the user's state.
 */
export interface VerificationLink {
  /** SHA-256 of the token, hex; the token itself is never stored. */
  hash: string;
  tenantId: string;
  userId: string;
  /** The address the link was sent to. */
  email: string;
  requestId: string;
  sendId: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** Where links are kept; the persistence library implements it. */
export interface VerificationLinkStore {
  /** Stores new links; storing the same one twice is harmless. */
  insertMany(links: readonly VerificationLink[]): Promise<void>;
  findByHash(hash: string): Promise<VerificationLink | undefined>;
}

/** 256 random bits, URL-safe: the part of the link that proves the mail was received. */
export function newVerificationToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Only this is stored: a database leak must not yield working links. */
export function hashVerificationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares a presented token with a stored hash in constant time. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const presented = Buffer.from(hashVerificationToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/**
 * A fresh link for one send, issued at the send's `now`: the same instant the user's
 * `lastSentAt` records once SMTP accepts the mail, which is what voids the earlier links.
 */
export function issueLink(
  send: { tenantId: string; userId: string; email: string; requestId: string; sendId: string },
  now: Date,
  ttlMs: number = DEFAULT_TOKEN_TTL_MS,
): { token: string; link: VerificationLink } {
  const token = newVerificationToken();
  return {
    token,
    link: {
      hash: hashVerificationToken(token),
      tenantId: send.tenantId,
      userId: send.userId,
      email: send.email,
      requestId: send.requestId,
      sendId: send.sendId,
      issuedAt: now,
      expiresAt: new Date(now.getTime() + ttlMs),
    },
  };
}

export type LinkCheck = 'valid' | 'expired' | 'voided' | 'unknown';

/**
 * Whether a stored link opens the user's verification now. A link is void once the user has
 * another address, or had one after the link was issued, or is linked (R2, R3), or once a
 * later mail to the user was accepted: only the newest link sent works (issue 18).
 */
export function checkLink(
  link: VerificationLink | undefined,
  state: UserState | undefined,
  now: Date,
): LinkCheck {
  if (!link) return 'unknown';
  if (
    !state ||
    state.status === 'linked' ||
    !sameAddress(link.email, state.email) ||
    isAfter(state.addressSetAt, link.issuedAt) ||
    isAfter(state.lastSentAt, link.issuedAt)
  )
    return 'voided';
  return link.expiresAt > now ? 'valid' : 'expired';
}

function isAfter(moment: Date | undefined, issuedAt: Date): boolean {
  return moment !== undefined && moment > issuedAt;
}
