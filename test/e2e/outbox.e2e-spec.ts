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
  const marker = async (userId: string): Promise<Date | null> => {
    const doc = await db
      .collection<{ _id: string; outboxAt: Date | null }>('user_states')
      .findOne({ _id: userStateId('t', userId) });
    return doc?.outboxAt ?? null;
  };

  it('publishes what a dead writer left in its outbox, then empties it', async () => {
    await write('left-behind', 'c1'); // written, never flushed: the writer "died"
    expect(await relay.sweep()).toBe(1);
    await waitFor('the leftover event on its topic', () =>
      kafka
        .json<{ data: { userId: string } }>(topics.VerificationStatusChanged)
        .some((e) => e.data.userId === 'left-behind'),
    );
    expect(await marker('left-behind')).toBeNull();
    expect(await relay.sweep()).toBe(0);
  });

  it('clears an owner whose entries an interrupted acknowledge already removed, instead of looping on it', async () => {
    const batch = await write('half-acked', 'c2');
    await db
      .collection('user_states')
      .updateOne({ _id: userStateId('t', 'half-acked') as never }, { $set: { outbox: [] } });
    expect(batch.pending).toHaveLength(1);
    expect(await relay.sweep()).toBe(0);
    expect(await marker('half-acked')).toBeNull();
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
    expect((doc?.outbox as unknown[]).length).toBe(1);
    expect(doc?.outboxAt).not.toBeNull();
  });
});
