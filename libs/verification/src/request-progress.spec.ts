import {
  batchCompletedEvent,
  emptySkipCounts,
  isComplete,
  sendIdFor,
  type RequestProgress,
  type RequestTally,
} from './request-progress';

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

describe('request progress', () => {
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
