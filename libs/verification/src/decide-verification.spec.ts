import { decideVerification, type RequestedEntry } from './decide-verification';
import type { UserState } from './user-state';

const now = new Date('2026-11-25T12:00:00Z');
const policy = { coolDownMs: 10 * 60_000 };
const entry = (email?: string): RequestedEntry => ({
  tenantId: 't',
  userId: 'u',
  ...(email === undefined ? {} : { email }),
});
const user = (over: Partial<UserState>): UserState => ({
  tenantId: 't',
  userId: 'u',
  email: 'anna@example.se',
  status: 'unverified',
  ...over,
});
const decide = (e: RequestedEntry, before: UserState | undefined, resend = false) =>
  decideVerification(e, before, { resend, now, policy });

describe('decideVerification', () => {
  it('R1: saves an entered address for an unknown user and sends to it', () => {
    const result = decide(entry('anna@example.se'), undefined);
    expect(result.decision).toEqual({ kind: 'send', email: 'anna@example.se' });
    expect(result.state).toMatchObject({ email: 'anna@example.se', status: 'unverified' });
  });

  it('R5: sends to a user with a saved, unverified address', () => {
    expect(decide(entry(), user({})).decision).toEqual({ kind: 'send', email: 'anna@example.se' });
  });

  it('R5: skips a user without a saved address as no_email', () => {
    expect(decide(entry(), undefined).decision).toEqual({ kind: 'skip', reason: 'no_email' });
    expect(decide(entry(), user({ email: null, status: 'no_email' })).decision).toEqual({
      kind: 'skip',
      reason: 'no_email',
    });
  });

  it('skips an invalid entered address as invalid_email and does not save it', () => {
    const before = user({});
    const result = decide(entry('anna@example'), before);
    expect(result.decision).toEqual({ kind: 'skip', reason: 'invalid_email' });
    expect(result.state).toBe(before);
  });

  it('skips a saved address that is not valid as invalid_email', () => {
    expect(decide(entry(), user({ email: 'not an address' })).decision).toEqual({
      kind: 'skip',
      reason: 'invalid_email',
    });
  });

  it('R8: never changes or mails a user linked to Visma Connect (already_linked)', () => {
    const linked = user({ status: 'linked' });
    const result = decide(entry('new@example.se'), linked);
    expect(result.decision).toEqual({ kind: 'skip', reason: 'already_linked' });
    expect(result.state).toBe(linked);
  });

  it('R5: skips a verified user as already_verified: nobody gets a needless mail', () => {
    expect(decide(entry(), user({ status: 'verified' })).decision).toEqual({
      kind: 'skip',
      reason: 'already_verified',
    });
  });

  it('skips a user mailed within the cool-down as recently_sent, unless resend is asked for', () => {
    const recently = user({
      status: 'verification_sent',
      lastSentAt: new Date(now.getTime() - 60_000),
    });
    expect(decide(entry(), recently).decision).toEqual({ kind: 'skip', reason: 'recently_sent' });
    expect(decide(entry(), recently, true).decision).toEqual({
      kind: 'send',
      email: 'anna@example.se',
    });
    const longAgo = user({
      status: 'verification_sent',
      lastSentAt: new Date(now.getTime() - 11 * 60_000),
    });
    expect(decide(entry(), longAgo).decision.kind).toBe('send');
  });

  it('restarts a verified user with a new address: unverified, out of the cool-down, old links void', () => {
    const result = decide(
      entry('bo@example.se'),
      user({ status: 'verified', lastSentAt: now, addressSetAt: new Date(0) }),
    );
    expect(result.decision).toEqual({ kind: 'send', email: 'bo@example.se' });
    expect(result.state).toMatchObject({
      email: 'bo@example.se',
      status: 'unverified',
      lastSentAt: undefined,
      // Links issued before now are void from here on (checkLink).
      addressSetAt: now,
    });
    expect(result.addressChanged).toBe(true);
  });

  it('treats the same address in other letter case as unchanged', () => {
    const verified = user({ status: 'verified' });
    const result = decide(entry('ANNA@EXAMPLE.SE'), verified);
    expect(result.decision).toEqual({ kind: 'skip', reason: 'already_verified' });
    expect(result.addressChanged).toBe(false);
  });
});
