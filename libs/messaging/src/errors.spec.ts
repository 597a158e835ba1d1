import { classifyFailure, failureCode, PermanentError, TransientError } from './errors';

function named(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error('x'), { name }, extra);
}

describe('classifyFailure', () => {
  it('honours errors that say what they are', () => {
    expect(classifyFailure(new PermanentError('bad'))).toBe('permanent');
    expect(classifyFailure(new TransientError('later'))).toBe('transient');
  });

  it('treats an unreachable database or broker as unavailable, to wait in place', () => {
    expect(classifyFailure(named('MongoServerSelectionError'))).toBe('unavailable');
    expect(classifyFailure(named('MongoNetworkError'))).toBe('unavailable');
    expect(classifyFailure(named('KafkaJSConnectionError'))).toBe('unavailable');
  });

  it('retries SMTP 4xx answers and gives up on 5xx', () => {
    expect(classifyFailure(named('Error', { responseCode: 451 }))).toBe('transient');
    expect(classifyFailure(named('Error', { responseCode: 550 }))).toBe('permanent');
  });

  it('retries lost connections', () => {
    expect(classifyFailure(named('Error', { code: 'ECONNRESET' }))).toBe('transient');
  });

  it('recognises errors from another realm, which fail instanceof Error', () => {
    const foreign = { name: 'Error', message: 'connect ECONNREFUSED', code: 'ESOCKET' };
    expect(classifyFailure(foreign)).toBe('transient');
  });

  it('never retries programming errors', () => {
    expect(classifyFailure(new TypeError('undefined is not a function'))).toBe('permanent');
    expect(classifyFailure('a string was thrown')).toBe('permanent');
  });

  it('gives unknown errors the bounded retries', () => {
    expect(classifyFailure(new Error('who knows'))).toBe('transient');
  });
});

describe('failureCode', () => {
  it('is the explicit code or the error name', () => {
    expect(failureCode(new PermanentError('x', 'smtp_rejected'))).toBe('smtp_rejected');
    expect(failureCode(named('MongoNetworkError'))).toBe('MongoNetworkError');
  });
});
