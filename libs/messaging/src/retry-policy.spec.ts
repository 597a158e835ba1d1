import { nextRetryStep, parseRetryDelays, readRetryHeaders } from './retry-policy';

describe('retry policy', () => {
  const policy = { delaysMs: [1000, 10_000] };

  it('sends a first failure to retry topic 1 with the first delay', () => {
    expect(nextRetryStep(policy, 0, 5000)).toEqual({ kind: 'retry', attempt: 1, dueAt: 6000 });
  });

  it('grows the delay with each attempt', () => {
    expect(nextRetryStep(policy, 1, 5000)).toEqual({ kind: 'retry', attempt: 2, dueAt: 15_000 });
  });

  it('dead-letters when the retries run out', () => {
    expect(nextRetryStep(policy, 2, 5000)).toEqual({
      kind: 'dead-letter',
      code: 'retries_exhausted',
    });
    expect(nextRetryStep({ delaysMs: [] }, 0, 0)).toEqual({
      kind: 'dead-letter',
      code: 'retries_exhausted',
    });
  });

  it('reads retry headers and rejects malformed ones', () => {
    expect(
      readRetryHeaders({ 'retry-attempt': '2', 'retry-due-at': '123', 'original-topic': 't' }),
    ).toEqual({
      ok: true,
      value: { attempt: 2, dueAt: 123, originalTopic: 't' },
    });
    expect(
      readRetryHeaders({ 'retry-attempt': 'x', 'retry-due-at': '1', 'original-topic': 't' }),
    ).toMatchObject({ ok: false });
    expect(
      readRetryHeaders({ 'retry-attempt': '1', 'retry-due-at': 'soon', 'original-topic': 't' }),
    ).toMatchObject({ ok: false });
    expect(readRetryHeaders({ 'retry-attempt': '1', 'retry-due-at': '1' })).toMatchObject({
      ok: false,
    });
  });

  it('parses the delay list of the configuration', () => {
    expect(parseRetryDelays('1000, 10000,60000')).toEqual([1000, 10_000, 60_000]);
    expect(parseRetryDelays('')).toEqual([]);
    expect(parseRetryDelays('1000,soon')).toBeUndefined();
  });
});
