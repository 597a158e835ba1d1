import { validate, version } from 'uuid';
import {
  EVENT_ID_NAMESPACE,
  deterministicEventId,
  userImportCompletedId,
  verificationBatchCompletedId,
  verificationStatusChangedId,
  vismaConnectLinkedId,
} from './event-ids';

describe('deterministic event ids', () => {
  it('are UUID v5 under a fixed namespace', () => {
    expect(validate(EVENT_ID_NAMESPACE)).toBe(true);
    const id = deterministicEventId('EmailVerified', 'a');
    expect(validate(id)).toBe(true);
    expect(version(id)).toBe(5);
  });

  it('are stable across calls and releases (pinned value: the namespace must never change)', () => {
    expect(deterministicEventId('VerificationBatchCompleted', 'req-1')).toBe(
      deterministicEventId('VerificationBatchCompleted', 'req-1'),
    );
    expect(deterministicEventId('VerificationBatchCompleted', 'req-1')).toBe(
      '463f48d9-95c8-5f18-a6bb-bf0c12a908e0',
    );
  });

  it('differ when the event type differs', () => {
    expect(deterministicEventId('UserImportCompleted', 'x')).not.toBe(
      deterministicEventId('VerificationBatchCompleted', 'x'),
    );
  });

  it("keep part boundaries: ('a','bc') and ('ab','c') differ", () => {
    expect(deterministicEventId('EmailVerified', 'a', 'bc')).not.toBe(
      deterministicEventId('EmailVerified', 'ab', 'c'),
    );
  });

  it('refuse a part holding NUL instead of colliding: (t, "a\\0b") and ("t\\0a", b) were one id', () => {
    expect(() => verificationBatchCompletedId('t', 'a\u0000b')).toThrow(/contains NUL/);
    expect(() => verificationBatchCompletedId('t\u0000a', 'b')).toThrow(/contains NUL/);
  });

  it('VismaConnectLinked: one id per user and address, address case-insensitive', () => {
    const id = vismaConnectLinkedId('t', 'u', 'Anna@Example.com');
    expect(vismaConnectLinkedId('t', 'u', 'anna@example.com')).toBe(id);
    expect(vismaConnectLinkedId('t', 'u', 'other@example.com')).not.toBe(id);
    expect(vismaConnectLinkedId('t', 'u2', 'anna@example.com')).not.toBe(id);
    expect(vismaConnectLinkedId('t2', 'u', 'anna@example.com')).not.toBe(id);
  });

  it('VerificationBatchCompleted and UserImportCompleted: one id per request / import', () => {
    expect(verificationBatchCompletedId('t', 'r1')).not.toBe(
      verificationBatchCompletedId('t', 'r2'),
    );
    expect(userImportCompletedId('t', 'i1')).not.toBe(userImportCompletedId('t', 'i2'));
    expect(userImportCompletedId('t', 'same')).not.toBe(verificationBatchCompletedId('t', 'same'));
  });

  it("another tenant's request or import with the same id is another fact", () => {
    expect(verificationBatchCompletedId('a', 'r1')).not.toBe(
      verificationBatchCompletedId('b', 'r1'),
    );
    expect(userImportCompletedId('a', 'i1')).not.toBe(userImportCompletedId('b', 'i1'));
  });

  it('VerificationStatusChanged: one id per user, status and cause', () => {
    const id = verificationStatusChangedId('t', 'u', 'verified', 'evt-1');
    expect(verificationStatusChangedId('t', 'u', 'verified', 'evt-1')).toBe(id);
    expect(verificationStatusChangedId('t', 'u', 'verified', 'evt-2')).not.toBe(id);
    expect(verificationStatusChangedId('t', 'u', 'linked', 'evt-1')).not.toBe(id);
    expect(verificationStatusChangedId('t', 'u2', 'verified', 'evt-1')).not.toBe(id);
  });
});
