import {
  batchCompletedEvent,
  emptySkipCounts,
  isComplete,
  type OutcomeValue,
  type PartDecisions,
  RequestCompletion,
  sendIdFor,
  type RequestProgress,
  type RequestTally,
} from './request-progress';
import { InMemoryProgressStore } from './testing/in-memory-progress-store';

const tally = (over: Partial<RequestTally> = {}): RequestTally => ({
  requested: 10,
  due: 0,
  sent: 6,
  failed: 1,
  skipped: { ...emptySkipCounts(), no_email: 3 },
  ...over,
});
const progress = (over: Partial<RequestProgress> = {}): RequestProgress => ({
  requestId: 'r',
  tenantId: 't',
  partCount: 3,
  partsSeen: 3,
  tally: tally(),
  completedAt: null,
  ...over,
});

describe('R6: request progress', () => {
  it('is complete once every part arrived and no mail is still due', () => {
    expect(isComplete(progress())).toBe(true);
  });

  it('is not complete while a part is missing, whatever order the parts came in', () => {
    expect(isComplete(progress({ partsSeen: 2 }))).toBe(false);
  });

  it('is not complete while a mail is still due', () => {
    expect(isComplete(progress({ tally: tally({ due: 1, sent: 5 }) }))).toBe(false);
  });

  it('is not complete twice', () => {
    expect(isComplete(progress({ completedAt: new Date() }))).toBe(false);
  });

  it('gives one send id per user and request, the same on every redelivery', () => {
    expect(sendIdFor('t', 'r', 'u')).toBe(sendIdFor('t', 'r', 'u'));
    expect(sendIdFor('t', 'r', 'u')).not.toBe(sendIdFor('t', 'r2', 'u'));
  });

  it('announces completion with the counts and one deterministic id per request', () => {
    const at = new Date('2026-11-25T12:00:00Z');
    const event = batchCompletedEvent(progress(), at, '/test');
    expect(event.id).toBe(batchCompletedEvent(progress(), new Date(), '/other').id);
    expect(event.id).not.toBe(batchCompletedEvent(progress({ tenantId: 't2' }), at, '/test').id);
    expect(event.data).toMatchObject({
      requestId: 'r',
      requested: 10,
      sent: 6,
      failed: 1,
      skipped: { no_email: 3, recently_sent: 0 },
    });
  });
});

describe('RequestCompletion', () => {
  const request = { tenantId: 't1', requestId: 'req-1' };
  const cause = { at: new Date('2026-11-25T12:00:00Z'), source: '/test' };
  const decided = (index: number, count: number, outcome: OutcomeValue): PartDecisions => ({
    ...request,
    part: { index, count },
    users: [{ userId: `u${index}`, outcome }],
  });

  it('R6: completes a request only when every part has arrived', async () => {
    const store = new InMemoryProgressStore();
    const completion = new RequestCompletion(store);
    await store.recordPart(decided(1, 2, 'no_email'));
    expect(await completion.completeIfDone(request, cause)).toBeUndefined();
    await store.recordPart(decided(2, 2, 'already_verified'));
    expect(await completion.completeIfDone(request, cause)).toBeDefined();
    expect(store.completed.get(JSON.stringify(['t1', 'req-1']))?.data).toMatchObject({
      requested: 2,
      skipped: { no_email: 1, already_verified: 1 },
    });
  });

  it('R6: does not complete while a mail of the request is still due', async () => {
    const store = new InMemoryProgressStore();
    await store.recordPart(decided(1, 1, 'due'));
    expect(await new RequestCompletion(store).completeIfDone(request, cause)).toBeUndefined();
  });

  it('R6: publishes VerificationBatchCompleted once when the last part and the last mail ask at once', async () => {
    const store = new InMemoryProgressStore();
    await store.recordPart(decided(1, 1, 'no_email'));
    const completion = new RequestCompletion(store);
    const results = await Promise.all([
      completion.completeIfDone(request, cause),
      completion.completeIfDone(request, { ...cause, source: '/other' }),
      completion.completeIfDone(request, cause),
    ]);
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
  });
});
