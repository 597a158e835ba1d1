import mongoose from 'mongoose';
import {
  createEvent,
  DEFAULT_TOPICS,
  dlqTopicOf,
  serializeEvent,
  CLOUDEVENTS_CONTENT_TYPE,
} from '@app/contracts';
import {
  startVerificationWorker,
  type RunningWorker,
} from '../../apps/verification-worker/src/bootstrap';
import { isolatedEnv } from '../support/test-env';
import { KafkaTestClient } from '../support/kafka-test-client';
import { waitFor } from '../support/wait-for';

// The smoke path of the foundation: a VerificationRequested on the real broker is validated,
// stored through mongoose in the MongoDB and answered with VerificationStatusChanged.
describe('verification worker smoke path (real Kafka and MongoDB)', () => {
  const env = isolatedEnv('smoke');
  const requestedTopic = env.TOPIC_VERIFICATION_REQUESTED!;
  const statusTopic = env.TOPIC_VERIFICATION_STATUS_CHANGED!;
  const kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
  let worker: RunningWorker;
  let db: mongoose.Connection;

  beforeAll(async () => {
    worker = await startVerificationWorker(env);
    await kafka.watch([
      statusTopic,
      dlqTopicOf(requestedTopic),
      env.TOPIC_VERIFICATION_BATCH_COMPLETED!,
    ]);
    db = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
  });

  afterAll(async () => {
    await worker?.stop();
    await kafka.close();
    await db?.dropDatabase();
    await db?.close();
  });

  // The decision step's changes; the mail step adds `verification_sent` for mailed users.
  const decisions = () =>
    kafka
      .json<{
        type: string;
        key?: string;
        data: { userId: string; status: string; email: string | null };
      }>(statusTopic)
      .filter((e) => e.data.status !== 'verification_sent');

  function request(id: string, users: { userId: string; email?: string }[]) {
    return createEvent(
      'VerificationRequested',
      { requestId: `req-${id}`, tenantId: 'tenant-a', requestedBy: { userId: 'admin-1' }, users },
      { source: '/flex-hrm/test', id },
    );
  }

  it('reports broker and database as up on its readiness endpoint', async () => {
    const live = await fetch(`http://127.0.0.1:${worker.healthPort}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${worker.healthPort}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { kafka: 'up', mongodb: 'up' } });
  });

  it('uses topic names of the contract unless configured otherwise', () => {
    expect(requestedTopic.endsWith(DEFAULT_TOPICS.VerificationRequested)).toBe(true);
  });

  it('R1: stores the requested users and emits one VerificationStatusChanged per changed user', async () => {
    const event = request('evt-1', [{ userId: 'u1', email: 'anna@example.se' }, { userId: 'u2' }]);
    await kafka.produce(requestedTopic, [
      {
        key: 'tenant-a',
        value: serializeEvent(event),
        headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
      },
    ]);

    const changes = await waitFor('two status changes', () => {
      const got = decisions();
      return got.length >= 2 && got;
    });
    expect(changes.map((c) => c.type)).toEqual([
      'VerificationStatusChanged',
      'VerificationStatusChanged',
    ]);
    expect(changes.map((c) => c.data).sort((a, b) => a.userId.localeCompare(b.userId))).toEqual([
      expect.objectContaining({
        userId: 'u1',
        status: 'unverified',
        email: 'anna@example.se',
        requestId: 'req-evt-1',
      }),
      expect.objectContaining({ userId: 'u2', status: 'no_email', email: null }),
    ]);
    expect([...new Set(kafka.on(statusTopic).map((m) => m.key))].sort()).toEqual([
      'tenant-a:u1',
      'tenant-a:u2',
    ]);
    expect(kafka.on(statusTopic)[0]?.headers['content-type']).toBe(CLOUDEVENTS_CONTENT_TYPE);

    const stored = await db
      .collection('user_states')
      .find({ tenantId: 'tenant-a' })
      .sort({ userId: 1 })
      .toArray();
    expect(stored).toEqual([
      expect.objectContaining({
        tenantId: 'tenant-a',
        userId: 'u1',
        email: 'anna@example.se',
        // Mailed by now, or about to be.
        status: expect.stringMatching(/^(unverified|verification_sent)$/),
      }),
      expect.objectContaining({
        tenantId: 'tenant-a',
        userId: 'u2',
        email: null,
        status: 'no_email',
      }),
    ]);
  });

  it('dead-letters a message that is not JSON with its reason, and keeps consuming behind it', async () => {
    await kafka.produce(requestedTopic, [
      { key: 'tenant-a', value: Buffer.from('{not json') },
      {
        key: 'tenant-a',
        value: serializeEvent(request('evt-2', [{ userId: 'u3', email: 'bo@example.se' }])),
      },
    ]);

    const dead = await waitFor(
      'the poison message on the DLQ',
      () => kafka.on(dlqTopicOf(requestedTopic))[0],
    );
    expect(dead.value?.toString()).toBe('{not json');
    expect(dead.headers['error-code']).toBe('not_json');
    expect(dead.headers['original-topic']).toBe(requestedTopic);
    await waitFor('the message behind the poison one to be applied', () =>
      kafka.json<{ data: { userId: string } }>(statusTopic).some((c) => c.data.userId === 'u3'),
    );
  });

  it('has no second effect when the same request is delivered again', async () => {
    const before = decisions().length;
    await kafka.produce(requestedTopic, [
      {
        key: 'tenant-a',
        value: serializeEvent(
          request('evt-1', [{ userId: 'u1', email: 'anna@example.se' }, { userId: 'u2' }]),
        ),
      },
      { key: 'tenant-a', value: serializeEvent(request('evt-3', [{ userId: 'u4' }])) },
    ]);
    // evt-3 comes after the redelivery on the same partition (same key): once it is applied,
    // the redelivered evt-1 has been handled too.
    await waitFor('the marker request to be applied', () =>
      kafka.json<{ data: { userId: string } }>(statusTopic).some((c) => c.data.userId === 'u4'),
    );
    expect(decisions().length).toBe(before + 1);
    expect(await db.collection('user_states').countDocuments({ tenantId: 'tenant-a' })).toBe(4);
  });

  it('announces one VerificationBatchCompleted for a request in parts, in any order, delivered twice', async () => {
    const completedTopic = env.TOPIC_VERIFICATION_BATCH_COMPLETED!;
    const part = (index: number, users: { userId: string; email?: string }[]) =>
      createEvent(
        'VerificationRequested',
        {
          requestId: 'req-parts',
          tenantId: 'tenant-p',
          requestedBy: { userId: 'admin' },
          users,
          part: { index, count: 3 },
        },
        { source: '/flex-hrm/test', id: `evt-part-${index}` },
      );
    // Nobody here is due a mail (no address, an invalid one), so the request can complete now.
    const parts = [
      part(3, [{ userId: 'p5' }, { userId: 'p6', email: 'not-an-address' }]),
      part(2, [{ userId: 'p3' }, { userId: 'p4' }]),
      part(1, [{ userId: 'p1' }, { userId: 'p2', email: 'bad@' }]),
    ];
    const send = (events: typeof parts) =>
      kafka.produce(
        requestedTopic,
        events.map((e) => ({ key: 'tenant-p', value: serializeEvent(e) })),
      );
    await send(parts);
    const ofThisRequest = () =>
      kafka
        .json<{ id: string; data: Record<string, unknown> }>(completedTopic)
        .filter((e) => e.data.requestId === 'req-parts');
    const done = await waitFor('the batch completion', () => ofThisRequest()[0]);
    expect(done.data).toMatchObject({
      requestId: 'req-parts',
      requested: 6,
      sent: 0,
      failed: 0,
      skipped: {
        no_email: 4,
        invalid_email: 2,
        already_verified: 0,
        already_linked: 0,
        recently_sent: 0,
      },
    });

    await send(parts);
    await send([request('evt-after-parts', [{ userId: 'p-marker' }])]);
    await waitFor('the request behind the repeats', () =>
      kafka
        .json<{ data: { userId: string } }>(statusTopic)
        .some((c) => c.data.userId === 'p-marker'),
    );
    expect(ofThisRequest()).toHaveLength(1);
  });
});
