import { ALL_EVENT_TYPES, isEventType } from './event-types';
import { DEFAULT_TOPICS, dlqTopicOf, retryTopicOf } from './topics';

describe('event types', () => {
  it('are the seven event names of contract v1 and the one internal event', () => {
    expect([...ALL_EVENT_TYPES].sort()).toEqual(
      [
        'EmailVerified',
        'UserImportCompleted',
        'UserImportUploaded',
        'VerificationBatchCompleted',
        'VerificationMailRequested',
        'VerificationRequested',
        'VerificationStatusChanged',
        'VismaConnectLinked',
      ].sort(),
    );
  });

  it('isEventType accepts only known names (case-sensitive)', () => {
    expect(isEventType('EmailVerified')).toBe(true);
    expect(isEventType('emailverified')).toBe(false);
    expect(isEventType(42)).toBe(false);
  });
});

describe('default topics', () => {
  it('match the spec topic table', () => {
    expect(DEFAULT_TOPICS).toEqual({
      VerificationRequested: 'hrm.verification-requested.v1',
      UserImportUploaded: 'hrm.user-import-uploaded.v1',
      EmailVerified: 'connect.email-verified.v1',
      VismaConnectLinked: 'connect.visma-connect-linked.v1',
      VerificationStatusChanged: 'connect.verification-status.v1',
      VerificationBatchCompleted: 'connect.verification-batch-completed.v1',
      UserImportCompleted: 'connect.user-import-completed.v1',
      VerificationMailRequested: 'connect.verification-mail-requested.v1',
    });
  });

  it('cannot be mutated at runtime', () => {
    expect(Object.isFrozen(DEFAULT_TOPICS)).toBe(true);
  });

  it('dead-letter topic is <topic>.dlq', () => {
    expect(dlqTopicOf('hrm.verification-requested.v1')).toBe('hrm.verification-requested.v1.dlq');
  });

  it('retry topic is <topic>.retry.<attempt>', () => {
    expect(retryTopicOf('t', 2)).toBe('t.retry.2');
  });

  it.each([0, -1, 1.5, Number.NaN])(
    'retry attempt %p is rejected (attempts start at 1)',
    (attempt) => {
      expect(() => retryTopicOf('t', attempt)).toThrow(RangeError);
    },
  );
});
