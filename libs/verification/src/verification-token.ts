import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sameAddress } from './email-address';
import type { StoredToken, UserState } from './user-state';

/** How long a verification link works unless configured otherwise. */
export const DEFAULT_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

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
 * Issues a link for the user's current address. Earlier unexpired links to the same address
 * keep working until one is used; expired ones are dropped here.
 */
export function issueToken(
  state: UserState,
  now: Date,
  ttlMs: number = DEFAULT_TOKEN_TTL_MS,
): { token: string; expiresAt: Date; state: UserState } {
  if (!state.email)
    throw new Error('cannot issue a verification link to a user without an address');
  const token = newVerificationToken();
  const expiresAt = new Date(now.getTime() + ttlMs);
  const live = (state.tokens ?? []).filter((t) => t.expiresAt > now);
  return {
    token,
    expiresAt,
    state: {
      ...state,
      tokens: [...live, { hash: hashVerificationToken(token), email: state.email, expiresAt }],
    },
  };
}

export type TokenCheck = 'valid' | 'expired' | 'unknown';

/**
 * Whether a presented token opens this user's verification. A token sent to an address the
 * user no longer has is unknown: changing the address voids earlier links.
 */
export function checkToken(state: UserState, token: string, now: Date): TokenCheck {
  const match = (state.tokens ?? []).find((t: StoredToken) => tokenMatches(token, t.hash));
  if (!match || !sameAddress(match.email, state.email)) return 'unknown';
  return match.expiresAt > now ? 'valid' : 'expired';
}
