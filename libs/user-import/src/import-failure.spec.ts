import { MAX_TEXT_LENGTH } from '@app/contracts';
import { importFailureOf } from './import-failure';

class PermanentFailure extends Error {
  readonly failureKind = 'permanent';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

describe('importFailureOf', () => {
  it('keeps a short message as it is', () => {
    expect(importFailureOf(new PermanentFailure('too_large', 'too big'))).toEqual({
      code: 'too_large',
      message: 'too big',
    });
  });

  it('cuts a message to what the contract carries, so the completion can still be published', () => {
    const failure = importFailureOf(new PermanentFailure('unreadable_format', 'x'.repeat(5000)));
    expect(failure?.message).toHaveLength(MAX_TEXT_LENGTH);
    expect(failure?.message.endsWith('…')).toBe(true);
  });

  it('is nothing for an error that is not a permanent failure', () => {
    expect(importFailureOf(new Error('ECONNRESET'))).toBeUndefined();
  });
});
