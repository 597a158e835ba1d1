import type { UserState } from './user-state';
import {
  checkLink,
  DEFAULT_TOKEN_TTL_MS,
  hashVerificationToken,
  issueLink,
  newVerificationToken,
  tokenMatches,
} from './verification-link';

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

describe('R2: verification links', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const user: UserState = {
    tenantId: 't',
    userId: 'u',
    email: 'anna@example.se',
    status: 'verification_sent',
  };
  const send = {
    tenantId: 't',
    userId: 'u',
    email: 'anna@example.se',
    requestId: 'r',
    sendId: 's',
  };
  const later = (ms: number) => new Date(now.getTime() + ms);

  it('store only the hash, tied to the address, expiring after 7 days by default', () => {
    const { token, link } = issueLink(send, now);
    expect(link.expiresAt.getTime() - now.getTime()).toBe(DEFAULT_TOKEN_TTL_MS);
    expect(JSON.stringify(link)).not.toContain(token);
    expect(link.hash).toBe(hashVerificationToken(token));
    expect(checkLink(link, user, now)).toBe('valid');
  });

  it('void the earlier links once a later mail to the user was accepted (issue 18)', () => {
    const first = issueLink(send, now).link;
    const second = issueLink(send, later(60_000)).link;
    // The mail step records the send's instant, the one the link was issued at.
    const sentFirst = { ...user, lastSentAt: first.issuedAt };
    const sentSecond = { ...user, lastSentAt: second.issuedAt };
    expect(checkLink(first, sentFirst, later(1))).toBe('valid');
    expect(checkLink(first, sentSecond, later(120_000))).toBe('voided');
    expect(checkLink(second, sentSecond, later(120_000))).toBe('valid');
  });

  it('keep the earlier link while the later mail was not accepted', () => {
    const first = issueLink(send, now).link;
    issueLink(send, later(60_000)); // stored, but SMTP refused the mail: lastSentAt stays
    expect(checkLink(first, { ...user, lastSentAt: now }, later(120_000))).toBe('valid');
  });

  it('expire', () => {
    const { link } = issueLink(send, now, 1000);
    expect(checkLink(link, user, later(999))).toBe('valid');
    expect(checkLink(link, user, later(1000))).toBe('expired');
  });

  it('are void when the address changed, even back to the same one, or the user is linked', () => {
    const { link } = issueLink(send, now);
    expect(checkLink(link, { ...user, email: 'bo@example.se' }, now)).toBe('voided');
    expect(checkLink(link, { ...user, addressSetAt: later(1) }, later(2))).toBe('voided');
    expect(checkLink(link, { ...user, status: 'linked' }, now)).toBe('voided');
    expect(checkLink(link, undefined, now)).toBe('voided');
  });

  it('survive an address written again in other letter case before they were issued', () => {
    const { link } = issueLink(send, now);
    expect(checkLink(link, { ...user, email: 'Anna@Example.se', addressSetAt: now }, now)).toBe(
      'valid',
    );
  });

  it('are unknown when nothing is stored for the token', () => {
    expect(checkLink(undefined, user, now)).toBe('unknown');
  });
});
