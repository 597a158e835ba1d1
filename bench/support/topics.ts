import { randomBytes } from 'node:crypto';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, kafkaKeyOf, serializeEvent } from '@app/contracts';
import { topicsOfConsumer } from '@app/messaging';
import { Partitioners, type Admin, type Kafka, type Message } from 'kafkajs';

export interface BenchTopic {
  /** The topic the events are on: VerificationRequested is mapped to it. */
  name: string;
  /** It plus its retry and dead-letter topics, which the product subscribes to / may write. */
  created: string[];
  events: number;
  valueBytes: number;
}

const TENANTS = 100;
const TARGET_VALUE_BYTES = 500;
const PRODUCE_BATCH = 1000;
const SOURCE = '/bench';

export function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}

/**
 * A fresh `bench.consume.<random>` topic with its retry and dead-letter topics: the broker does
 * not auto-create, and the product subscribes to the retry topics. Returns every name created.
 */
export async function createBenchTopics(
  admin: Admin,
  layout: { partitions: number; retries: number },
): Promise<string[]> {
  const created = topicsOfConsumer(`bench.consume.${randomSuffix()}`, layout.retries);
  await admin.createTopics({
    waitForLeaders: true,
    topics: created.map((topic) => ({
      topic,
      numPartitions: layout.partitions,
      replicationFactor: 1,
    })),
  });
  return created;
}

/** Fills `created[0]` with `events` valid VerificationRequested events and checks they landed. */
export async function fillTopic(
  kafka: Kafka,
  admin: Admin,
  created: string[],
  partitions: number,
  events: number,
): Promise<BenchTopic> {
  const name = created[0] as string;
  const valueBytes = await fill(kafka, name, events);
  await checkFilled(admin, name, events, partitions);
  return { name, created, events, valueBytes };
}

/** Produces in batches of 1000 with acks=-1, so every event is durable before timing starts. */
async function fill(kafka: Kafka, topic: string, events: number): Promise<number> {
  // murmur2 as in the product's producer, so tenants land where they would in production.
  // Idempotent: kafkajs retries a whole send (e.g. on a leader not yet elected for a new topic),
  // which without it would duplicate the partitions that had succeeded.
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  let bytes = 0;
  try {
    for (let start = 0; start < events; start += PRODUCE_BATCH) {
      const messages: Message[] = [];
      for (let i = start; i < Math.min(events, start + PRODUCE_BATCH); i++) {
        const message = benchMessage(i);
        bytes += (message.value as Buffer).length;
        messages.push(message);
      }
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
  return Math.round(bytes / Math.max(1, events));
}

/** The fill must have landed whole and spread: otherwise the numbers measure something else. */
async function checkFilled(
  admin: Admin,
  topic: string,
  events: number,
  partitions: number,
): Promise<void> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  const empty = offsets.filter((p) => Number(p.high) === Number(p.low)).length;
  if (total !== events) throw new Error(`${topic} holds ${total} messages, expected ${events}`);
  if (empty > 0 && events >= partitions * 100)
    throw new Error(`${topic}: ${empty} of ${partitions} partitions got no data`);
}

let padLength: number | undefined;

/**
 * Event i: one user, tenant i % 100 (the key, so all partitions get data). Every field has a
 * fixed width, so one probe tells how much `filter.search` padding makes the value ~500 bytes.
 */
export function benchMessage(i: number): Message {
  if (padLength === undefined) {
    const unpadded = serializeEvent(benchEvent(0, 'x')).length;
    if (unpadded > TARGET_VALUE_BYTES)
      throw new Error(`bench event is ${unpadded} B before padding`);
    padLength = TARGET_VALUE_BYTES - unpadded + 1;
  }
  const event = benchEvent(i, 'x'.repeat(padLength));
  return {
    key: kafkaKeyOf(event),
    value: serializeEvent(event),
    headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
  };
}

function benchEvent(i: number, search: string) {
  const n = String(i).padStart(9, '0');
  const tenant = String(i % TENANTS).padStart(3, '0');
  // createEvent validates against the contract: what the product parses is known to be valid.
  return createEvent(
    'VerificationRequested',
    {
      requestId: `00000000-0000-4000-8000-${n.padStart(12, '0')}`,
      tenantId: `bench-tenant-${tenant}`,
      requestedBy: { userId: 'bench-admin' },
      users: [{ userId: `u-${n}`, email: `u${n}@example.com` }],
      filter: { search },
    },
    { source: SOURCE },
  );
}
