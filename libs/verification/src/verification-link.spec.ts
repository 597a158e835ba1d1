import type { UserState } from './user-state';
import {
  checkToken,
  DEFAULT_TOKEN_TTL_MS,
  hashVerificationToken,
  issueToken,
  newVerificationToken,
  tokenMatches,
} from './verification-token';

describe('verification tokens', () => {
  it('carry at least 128 random bits and never repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newVerificationToken));
    expect(tokens.size).toBe(1000);
    for (const token of tokens)
      expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
  });

  it('are stored as a SHA-256 hash that does not contain the token', () => {
    const token = newVerificationToken();
    const hash = hashVerificationToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(token);
  });

  it('match only their own hash', () => {
    const token = newVerificationToken();
    expect(tokenMatches(token, hashVerificationToken(token))).toBe(true);
    expect(tokenMatches(newVerificationToken(), hashVerificationToken(token))).toBe(false);
    expect(tokenMatches(token, 'not-a-hash')).toBe(false);
  });
});

describe('verification links on a user', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const user: UserState = {
    tenantId: 't',
    userId: 'u',
    email: 'anna@example.se',
    status: 'unverified',
  };

  it('store only the hash, tied to the address, expiring after 7 days by default', () => {
    const { token, state, expiresAt } = issueToken(user, now);
    expect(expiresAt.getTime() - now.getTime()).toBe(DEFAULT_TOKEN_TTL_MS);
    expect(JSON.stringify(state)).not.toContain(token);
    expect(state.tokens).toEqual([
      { hash: hashVerificationToken(token), email: 'anna@example.se', expiresAt },
    ]);
    expect(checkToken(state, token, now)).toBe('valid');
  });

  it('keep earlier unexpired links to the same address working', () => {
    const first = issueToken(user, now);
    const second = issueToken(first.state, new Date(now.getTime() + 60_000));
    expect(checkToken(second.state, first.token, now)).toBe('valid');
    expect(checkToken(second.state, second.token, now)).toBe('valid');
  });

  it('expire, and expired links are dropped when a new one is issued', () => {
    const first = issueToken(user, now, 1000);
    const later = new Date(now.getTime() + 2000);
    expect(checkToken(first.state, first.token, later)).toBe('expired');
    expect(issueToken(first.state, later).state.tokens).toHaveLength(1);
  });

  it('die when the address changes', () => {
    const { token, state } = issueToken(user, now);
    expect(checkToken({ ...state, email: 'bo@example.se' }, token, now)).toBe('unknown');
  });

  it('are unknown to anyone without the token', () => {
    const { state } = issueToken(user, now);
    expect(checkToken(state, newVerificationToken(), now)).toBe('unknown');
  });

  it('cannot be issued to a user without an address', () => {
    expect(() => issueToken({ ...user, email: null }, now)).toThrow(/without an address/);
  });
});
