import mongoose from 'mongoose';
import { RequestProgressRepository, requestPartId } from '@app/persistence';
import {
  batchCompletedEvent,
  isComplete,
  sendKey,
  type OutcomeValue,
  type PartDecisions,
  type Settlement,
} from '@app/verification';
import { isolatedEnv } from '../support/test-env';

// Exactly-once counting of a bulk request on the real database server, with single-document
// atomic updates only (docs/design/verification-mails.md, "Counting once").
describe('request progress (real database server)', () => {
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

  const part = (
    requestId: string,
    index: number,
    count: number,
    users: [string, OutcomeValue][],
    tenantId = 't',
  ): PartDecisions => ({
    tenantId,
    requestId,
    part: { index, count },
    users: users.map(([userId, outcome]) => ({ userId, outcome })),
  });
  const settlement = (
    requestId: string,
    slot: number,
    outcome: Settlement['outcome'],
    { tenantId = 't', index = 1 } = {},
  ): Settlement => ({
    tenantId,
    requestId,
    part: index,
    slot,
    userId: `slot-${slot}`,
    outcome,
    events: [],
  });

  it('counts each part once, whatever order the parts arrive in and however often', async () => {
    const users = (prefix: string, n: number): [string, OutcomeValue][] =>
      Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'no_email']);
    await repo.recordPart(part('req-a', 3, 3, users('c', 10)));
    await repo.recordPart(part('req-a', 1, 3, users('a', 10)));
    await repo.recordPart(part('req-a', 3, 3, users('c', 10)));
    expect(await repo.progress('t', 'req-a')).toMatchObject({ partCount: 3, partsSeen: 2 });
    await repo.recordPart(part('req-a', 2, 3, users('b', 5)));
    await repo.recordPart(part('req-a', 1, 3, users('a', 10)));
    const progress = await repo.progress('t', 'req-a');
    expect(progress).toMatchObject({ partCount: 3, partsSeen: 3, completedAt: null });
    expect(progress?.tally).toMatchObject({ requested: 25, skipped: { no_email: 25 } });
  });

  it('records a part once when ten deliveries of it race, and every one gets the same outcomes', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        repo.recordPart(
          part('req-race', 1, 1, [
            ['u1', i === 0 ? 'due' : 'recently_sent'],
            ['u2', 'no_email'],
          ]),
        ),
      ),
    );
    const first = results[0];
    for (const result of results) expect(result).toEqual(first);
    expect((await repo.progress('t', 'req-race'))?.tally).toMatchObject({ requested: 2 });
  });

  it('keeps the first recorded outcome when a redelivered part decides otherwise', async () => {
    await repo.recordPart(
      part('req-b', 1, 1, [
        ['u1', 'due'],
        ['u2', 'no_email'],
        ['u3', 'due'],
      ]),
    );
    const again = await repo.recordPart(
      part('req-b', 1, 1, [
        ['u1', 'recently_sent'],
        ['u2', 'no_email'],
        ['u3', 'due'],
      ]),
    );
    expect(again.get('u1')).toEqual({ outcome: 'due', slot: 0 });
    await repo.settleMany([settlement('req-b', 0, 'sent'), settlement('req-b', 2, 'failed')]);
    // A second settlement of a settled mail changes nothing: the first one stands.
    await repo.settleMany([settlement('req-b', 0, 'failed')]);
    const sends = [0, 1, 2].map((slot) => ({ tenantId: 't', requestId: 'req-b', part: 1, slot }));
    const settled = await repo.findSettled(sends);
    expect(settled.get(sendKey(sends[0]!))).toBe('sent');
    expect(settled.get(sendKey(sends[2]!))).toBe('failed');
    const { tally } = (await repo.progress('t', 'req-b'))!;
    expect(tally).toMatchObject({ requested: 3, due: 0, sent: 1, failed: 1 });
    expect(tally.skipped).toMatchObject({ no_email: 1, recently_sent: 0 });
  });

  it('loses no count when 50 mails of one part are settled at the same moment', async () => {
    const users = Array.from({ length: 50 }, (_, i): [string, OutcomeValue] => [`u${i}`, 'due']);
    await repo.recordPart(part('req-50', 1, 1, users));
    // Each settlement twice, from 100 concurrent commands: one of each pair can apply.
    await Promise.all(
      [...users, ...users].map((_, i) =>
        repo.settleMany([settlement('req-50', i % 50, i % 3 === 0 ? 'failed' : 'sent')]),
      ),
    );
    const { tally } = (await repo.progress('t', 'req-50'))!;
    expect(tally.due).toBe(0);
    expect(tally.sent + tally.failed).toBe(50);
    const stored = await db
      .collection('verification_request_parts')
      .findOne({ _id: requestPartId('t', 'req-50', 1) as never });
    const outcomes = stored?.outcomes as string[];
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(tally.sent);
    expect(outcomes.filter((o) => o === 'failed')).toHaveLength(tally.failed);
  });

  it('holds a user listed by two parts in the first part recorded, and counts it once', async () => {
    await repo.recordPart(
      part('req-dup', 1, 2, [
        ['anna', 'due'],
        ['bo', 'no_email'],
      ]),
    );
    const second = await repo.recordPart(
      part('req-dup', 2, 2, [
        ['cecilia', 'due'],
        ['anna', 'due'],
      ]),
    );
    expect([...second.keys()]).toEqual(['cecilia']);
    expect((await repo.progress('t', 'req-dup'))?.tally).toMatchObject({ requested: 3, due: 2 });
  });

  it('completes exactly once when ten processes see the request done at the same moment', async () => {
    await repo.recordPart(
      part('req-c', 1, 1, [
        ['u1', 'already_verified'],
        ['u2', 'due'],
      ]),
    );
    expect(isComplete((await repo.progress('t', 'req-c'))!)).toBe(false);
    await repo.settleMany([settlement('req-c', 1, 'sent')]);
    const progress = (await repo.progress('t', 'req-c'))!;
    expect(isComplete(progress)).toBe(true);

    const event = batchCompletedEvent(progress, new Date(), '/test');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => repo.markCompleted('t', 'req-c', event)),
    );
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    const stored = await db
      .collection('verification_requests')
      .findOne({ _id: JSON.stringify(['t', 'req-c']) as never });
    expect((stored?.outbox as { id: string }[]).map((e) => e.id)).toEqual([event.id]);
    expect(event.data).toMatchObject({
      requested: 2,
      sent: 1,
      failed: 0,
      skipped: { already_verified: 1 },
    });
  });

  it("keeps another tenant's request with the same id apart: nothing of one touches the other", async () => {
    await repo.recordPart(part('shared-id', 1, 2, [['anna', 'due']], 'tenant-a'));
    // Tenant B reuses the request id, part index and user id.
    const b = await repo.recordPart(part('shared-id', 1, 1, [['anna', 'no_email']], 'tenant-b'));
    expect(b.get('anna')).toEqual({ outcome: 'no_email', slot: 0 });
    await repo.settleMany([settlement('shared-id', 0, 'sent', { tenantId: 'tenant-b' })]);
    const a = (await repo.progress('tenant-a', 'shared-id'))!;
    expect(a).toMatchObject({ partCount: 2, partsSeen: 1 });
    expect(a.tally).toMatchObject({ requested: 1, due: 1, sent: 0 });
    const progressB = (await repo.progress('tenant-b', 'shared-id'))!;
    expect(isComplete(progressB)).toBe(true);
    expect(
      await repo.markCompleted(
        'tenant-b',
        'shared-id',
        batchCompletedEvent(progressB, new Date(), '/t'),
      ),
    ).toBeDefined();
    expect((await repo.progress('tenant-a', 'shared-id'))?.completedAt).toBeNull();
  });
});
