import mongoose from 'mongoose';
import { RequestProgressRepository } from '@app/persistence';
import {
  batchCompletedEvent,
  isComplete,
  sendIdFor,
  type Settlement,
  type UserRequestOutcome,
} from '@app/verification';
import { isolatedEnv } from '../support/test-env';

// Exactly-once counting of a bulk request on the real MongoDB-wire server, with single-document
// updates only (docs/design/verification-mails.md).
describe('request progress (real MongoDB-wire server)', () => {
  const env = isolatedEnv('progress');
  let db: mongoose.Connection;
  let repo: RequestProgressRepository;

  beforeAll(async () => {
    db = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
    repo = new RequestProgressRepository(db);
    await repo.init();
  });
  afterAll(async () => {
    await db?.dropDatabase();
    await db?.close();
  });

  const settled = (
    requestId: string,
    userId: string,
    value: Settlement['outcome'],
  ): Settlement => ({ ...outcome(requestId, userId, value), outcome: value, events: [] });
  const outcome = (
    requestId: string,
    userId: string,
    value: UserRequestOutcome['outcome'],
  ): UserRequestOutcome => ({
    tenantId: 't',
    requestId,
    userId,
    outcome: value,
  });

  it('counts each part once, whatever order the parts arrive in and however often', async () => {
    expect(await repo.countPart('req-a', 't', { index: 3, count: 3 }, 10)).toBe('counted');
    expect(await repo.countPart('req-a', 't', { index: 1, count: 3 }, 10)).toBe('counted');
    expect(await repo.countPart('req-a', 't', { index: 3, count: 3 }, 10)).toBe('already_counted');
    expect(await repo.countPart('req-a', 't', { index: 2, count: 3 }, 5)).toBe('counted');
    expect(await repo.countPart('req-a', 't', { index: 1, count: 3 }, 10)).toBe('already_counted');
    expect(await repo.progress('req-a')).toMatchObject({
      partCount: 3,
      partsSeen: 3,
      requested: 25,
      completedAt: null,
    });
  });

  it('counts a part once even when ten deliveries of it race', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => repo.countPart('req-race', 't', { index: 1, count: 1 }, 7)),
    );
    expect(results.filter((r) => r === 'counted')).toHaveLength(1);
    expect(await repo.progress('req-race')).toMatchObject({ partsSeen: 1, requested: 7 });
  });

  it('records each user outcome once and derives the counts by counting', async () => {
    const part = [
      outcome('req-b', 'u1', 'due'),
      outcome('req-b', 'u2', 'no_email'),
      outcome('req-b', 'u3', 'due'),
    ];
    await repo.recordOutcomes(part);
    // A redelivered part recomputed differently must not change what was recorded first.
    await repo.recordOutcomes([outcome('req-b', 'u1', 'recently_sent'), ...part.slice(1)]);
    await repo.settleMany([settled('req-b', 'u1', 'sent'), settled('req-b', 'u3', 'failed')]);
    await repo.settleMany([settled('req-b', 'u1', 'sent')]);
    expect(
      await repo.findSettled(['req-b', 'u1', 'u3'].map((u) => sendIdFor('t', 'req-b', u))),
    ).toEqual(new Set([sendIdFor('t', 'req-b', 'u1'), sendIdFor('t', 'req-b', 'u3')]));

    const tally = await repo.tally('req-b');
    expect(tally).toMatchObject({ requested: 3, due: 0, sent: 1, failed: 1 });
    expect(tally.skipped).toMatchObject({ no_email: 1, recently_sent: 0 });
  });

  it('completes exactly once when two processes see the request done at the same moment', async () => {
    await repo.countPart('req-c', 't', { index: 1, count: 1 }, 2);
    await repo.recordOutcomes([
      outcome('req-c', 'u1', 'already_verified'),
      outcome('req-c', 'u2', 'due'),
    ]);
    const before = await repo.progress('req-c');
    expect(isComplete(before!, await repo.tally('req-c'))).toBe(false);

    await repo.settleMany([settled('req-c', 'u2', 'sent')]);
    const progress = (await repo.progress('req-c'))!;
    const tally = await repo.tally('req-c');
    expect(isComplete(progress, tally)).toBe(true);

    const event = batchCompletedEvent(progress, tally, new Date(), '/test');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => repo.markCompleted('req-c', event)),
    );
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    const stored = await db
      .collection('verification_request_completions')
      .findOne({ _id: 'req-c' as never });
    expect((stored?.outbox as { id: string }[]).map((e) => e.id)).toEqual([event.id]);
    expect(event.data).toMatchObject({
      requested: 2,
      sent: 1,
      failed: 0,
      skipped: { already_verified: 1 },
    });
  });
});
