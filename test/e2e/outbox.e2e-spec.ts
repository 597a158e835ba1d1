import { Partitioners, type Producer } from 'kafkajs';
import mongoose from 'mongoose';
import pino from 'pino';
import {
  createKafka,
  EventPublisher,
  OutboxRelay,
  ensureTopics,
  topicMapFrom,
} from '@app/messaging';
import { UserStateRepository, userStateId } from '@app/persistence';
import { statusChangedEvent, type UserState } from '@app/verification';
import { KafkaTestClient } from '../support/kafka-test-client';
import { isolatedEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

// The per-document outbox on the real database and broker.
describe('outbox (real database server and Kafka)', () => {
  const env = isolatedEnv('outbox');
  const topics = topicMapFrom(env);
  const logger = pino({ level: 'silent' });
  const kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
  let db: mongoose.Connection;
  let repo: UserStateRepository;
  let producer: Producer;
  let relay: OutboxRelay;

  beforeAll(async () => {
    const client = createKafka({
      brokers: env.KAFKA_BROKERS!.split(','),
      clientId: 'outbox-test',
      logger,
    });
    await ensureTopics(client, [topics.VerificationStatusChanged], {
      partitions: 1,
      replicationFactor: 1,
    });
    producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    db = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
    repo = new UserStateRepository(db);
    await repo.init();
    relay = new OutboxRelay(
      new EventPublisher(producer, topics),
      [repo.outbox],
      { sweepIntervalMs: 60_000, graceMs: 0 },
      logger,
    );
    await kafka.watch([topics.VerificationStatusChanged]);
  });
  afterAll(async () => {
    await producer?.disconnect();
    await kafka.close();
    await db?.dropDatabase();
    await db?.close();
  });

  const state = (userId: string): UserState => ({
    tenantId: 't',
    userId,
    email: `${userId}@example.se`,
    status: 'unverified',
  });
  const write = async (userId: string, causeId: string) => {
    const s = state(userId);
    const saved = await repo.saveMany([
      {
        state: s,
        events: [statusChangedEvent(s, { eventId: causeId, source: '/test', at: new Date() })],
      },
    ]);
    return saved.published;
  };
  type Stored = { _id: string; outbox: { id: string; at?: Date }[]; outboxAt?: Date | null };
  const stored = (userId: string) =>
    db.collection<Stored>('user_states').findOne({ _id: userStateId('t', userId) });
  const eventsOf = (userId: string) =>
    kafka
      .json<{ data: { userId: string } }>(topics.VerificationStatusChanged)
      .filter((e) => e.data.userId === userId);

  it('publishes what a dead writer left in its outbox, then empties it', async () => {
    await write('left-behind', 'c1'); // written, never flushed: the writer "died"
    expect(await relay.sweep()).toBe(1);
    await waitFor('the leftover event on its topic', () => eventsOf('left-behind').length > 0);
    expect((await stored('left-behind'))?.outbox).toEqual([]);
    expect(await relay.sweep()).toBe(0);
  });

  it('leaves entries younger than the grace time to their writer', async () => {
    const young = new OutboxRelay(
      new EventPublisher(producer, topics),
      [repo.outbox],
      { sweepIntervalMs: 60_000, graceMs: 60_000 },
      logger,
    );
    await write('still-writing', 'c2');
    expect(await young.sweep()).toBe(0);
    expect((await stored('still-writing'))?.outbox).toHaveLength(1);
    expect(await relay.sweep()).toBe(1);
  });

  it("publishes an earlier version's entries found by its marker, then clears the marker instead of looping on it", async () => {
    // As that version left them: entries without their time, the document marked instead.
    const entry = (await write('marked', 'c6')).pending[0]!.entries[0]!;
    const _id = userStateId('t', 'marked');
    const long = new Date(Date.now() - 3_600_000);
    await db
      .collection<Stored>('user_states')
      .updateOne({ _id }, { $set: { outbox: [{ ...entry }], outboxAt: long } });
    await db
      .collection<Stored>('user_states')
      .insertOne({ _id: userStateId('t', 'marked-empty'), outbox: [], outboxAt: long });
    expect(await relay.sweep()).toBe(1);
    await waitFor('the marked entry on its topic', () => eventsOf('marked').length > 0);
    expect(await relay.sweep()).toBe(0);
    for (const userId of ['marked', 'marked-empty']) {
      const doc = await stored(userId);
      expect(doc?.outbox).toEqual([]);
      expect(doc).not.toHaveProperty('outboxAt');
    }
  });

  it('acknowledges an owner that never had an outbox: no fields to clear, and no failure', async () => {
    // As a record inserted without outbox fields (the raw driver sets no schema defaults).
    const _id = userStateId('t', 'never-had-one');
    await db.collection('user_states').insertOne({ _id: _id as never, tenantId: 't' });
    await expect(repo.outbox.acknowledge([{ ownerId: _id, entries: [] }])).resolves.toBeUndefined();
    const doc = await db.collection('user_states').findOne({ _id: _id as never });
    expect(doc).not.toHaveProperty('outboxAt');
  });

  it('removes exactly the published entries: one added after the read stays', async () => {
    const first = await write('two-events', 'c3');
    await write('two-events-second', 'c4');
    const [read] = await repo.findByUserIds('t', ['two-events']);
    await repo.saveMany([
      {
        before: read,
        state: { ...state('two-events'), status: 'no_email', email: null },
        events: [
          statusChangedEvent(
            { ...state('two-events'), status: 'no_email', email: null },
            { eventId: 'c5', source: '/test', at: new Date() },
          ),
        ],
      },
    ]);
    await relay.flush(first); // publishes and removes only the first entry
    const doc = await db
      .collection('user_states')
      .findOne({ _id: userStateId('t', 'two-events') as never });
    // The one left carries its time, by which a sweep finds it should its writer die.
    const left = (doc?.outbox ?? []) as { id: string; at?: Date }[];
    expect(left).toHaveLength(1);
    expect(left[0]?.id).not.toBe(first.pending[0]?.entries[0]?.id);
    expect(left[0]?.at).toBeInstanceOf(Date);
  });
});
