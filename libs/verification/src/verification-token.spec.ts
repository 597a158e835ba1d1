import { hashVerificationToken, newVerificationToken, tokenMatches } from './verification-token';

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
