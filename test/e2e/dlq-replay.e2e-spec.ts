import { Kafka, logLevel, type Admin, type IHeaders } from 'kafkajs';
import { dlqTopicOf } from '@app/contracts';
import {
  replayDeadLetters,
  type ReplayedMessage,
  type ReplayOptions,
} from '@app/messaging/dead-letter-replay';
import { isolatedEnv } from '../support/test-env';
import { KafkaTestClient } from '../support/kafka-test-client';
import { waitFor } from '../support/wait-for';

// Replays run to completion before they return: produced messages are acknowledged by then, so
// topic watermarks read afterwards show exactly what a replay wrote, without waiting.
describe('dead-letter replay (real Kafka)', () => {
  const env = isolatedEnv('replay');
  const source = env.TOPIC_VERIFICATION_REQUESTED!;
  const other = env.TOPIC_USER_IMPORT_UPLOADED!;
  const dlq = dlqTopicOf(source);
  const groupId = `${env.CONSUMER_GROUP}.dlq-replay`;
  const kafka = new Kafka({
    clientId: 'e2e-dlq-replay',
    brokers: env.KAFKA_BROKERS!.split(','),
    logLevel: logLevel.NOTHING,
  });
  const client = new KafkaTestClient(env.KAFKA_BROKERS!);
  let admin: Admin;

  const eventHeaders = { 'content-type': 'application/cloudevents+json', traceparent: 'tp-1' };

  function deadLetter(
    key: string,
    value: string,
    code: string,
    originalTopic = source,
  ): { key: string; value: Buffer; headers: IHeaders } {
    return {
      key,
      value: Buffer.from(value),
      headers: {
        ...eventHeaders,
        'error-code': code,
        'error-message': `failed with ${code}`,
        'original-topic': originalTopic,
        'original-partition': '0',
        'original-offset': '7',
        'original-timestamp': '1700000000000',
        'dead-lettered-at': new Date().toISOString(),
      },
    };
  }

  const event = (id: string) => JSON.stringify({ id, type: 'VerificationRequested' });
  const initial = [
    deadLetter('tenant-a', event('evt-a'), 'handler_failed'),
    deadLetter('tenant-b', '{not json', 'not_json'),
    deadLetter('tenant-c', event('evt-c'), 'handler_failed'),
  ];

  async function replay(options: Partial<ReplayOptions> = {}) {
    const lines: ReplayedMessage[] = [];
    const report = await replayDeadLetters(kafka, {
      sourceTopic: source,
      groupId,
      onMessage: (line) => lines.push(line),
      ...options,
    });
    return { report, lines };
  }

  async function messagesIn(topic: string): Promise<number> {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  }

  async function committed(): Promise<string[]> {
    const [topic] = await admin.fetchOffsets({ groupId, topics: [dlq] });
    return (topic?.partitions ?? []).map((p) => p.offset);
  }

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [source, dlq, other].map((topic) => ({ topic, numPartitions: 3 })),
    });
    await client.watch([source]);
    await client.produce(dlq, initial);
  });

  afterAll(async () => {
    await client.close();
    await admin?.disconnect();
  });

  it('a dry run reports what it would replay, produces nothing and leaves the group where it was', async () => {
    const { report, lines } = await replay({ dryRun: true });

    expect(report).toEqual({ replayed: 3, skipped: 0, scanned: 3, target: source });
    expect(lines.map((l) => l.action)).toEqual(['would-replay', 'would-replay', 'would-replay']);
    expect(lines.map((l) => l.eventId).sort()).toEqual(['evt-a', 'evt-c', undefined]);
    expect(await messagesIn(source)).toBe(0);
    expect(await committed()).toEqual(['-1', '-1', '-1']);
  });

  it('replays only dead letters with the requested error code, as first published', async () => {
    const { report, lines } = await replay({ errorCode: 'handler_failed' });

    expect(report).toEqual({ replayed: 2, skipped: 1, scanned: 3, target: source });
    expect(lines.find((l) => l.action === 'skipped')).toMatchObject({
      errorCode: 'not_json',
      reason: 'error-code not_json is not handler_failed',
    });
    const replayed = await waitFor('two replayed messages', () => {
      const got = client.on(source);
      return got.length >= 2 && got;
    });
    expect(replayed.map((m) => [m.key, m.value?.toString(), m.headers]).sort()).toEqual([
      ['tenant-a', event('evt-a'), eventHeaders],
      ['tenant-c', event('evt-c'), eventHeaders],
    ]);
    expect(await messagesIn(source)).toBe(2);
  });

  it('a second run replays nothing: the group remembers it moved past every message, skipped ones too', async () => {
    const { report, lines } = await replay();

    expect(report).toEqual({ replayed: 0, skipped: 0, scanned: 0, target: source });
    expect(lines).toEqual([]);
    expect(await messagesIn(source)).toBe(2);
  });

  it('from the beginning it rescans the whole dead-letter topic and replays again', async () => {
    const { report } = await replay({ fromBeginning: true });

    expect(report).toEqual({ replayed: 3, skipped: 0, scanned: 3, target: source });
    await waitFor('five messages on the source topic', () => client.on(source).length >= 5);
    expect(
      client
        .on(source)
        .map((m) => m.key)
        .sort(),
    ).toEqual(['tenant-a', 'tenant-a', 'tenant-b', 'tenant-c', 'tenant-c']);
    expect(await messagesIn(source)).toBe(5);
  });

  it('skips a dead letter whose original topic is another topic and writes into neither', async () => {
    await client.produce(dlq, [deadLetter('tenant-d', event('evt-d'), 'handler_failed', other)]);

    const { report, lines } = await replay();

    expect(report).toEqual({ replayed: 0, skipped: 1, scanned: 1, target: source });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ action: 'skipped', eventId: 'evt-d', target: other });
    expect(lines[0]?.reason).toContain(`original-topic ${other} is not ${source}`);
    expect(await messagesIn(other)).toBe(0);
    expect(await messagesIn(source)).toBe(5);
  });

  it('stops after the limit and leaves the rest for the next run', async () => {
    await client.produce(dlq, [
      deadLetter('tenant-e', event('evt-e'), 'handler_failed'),
      deadLetter('tenant-e', event('evt-f'), 'handler_failed'),
    ]);

    const first = await replay({ limit: 1 });
    expect(first.report).toMatchObject({ replayed: 1, scanned: 1 });
    expect(first.lines.map((l) => l.eventId)).toEqual(['evt-e']);

    const second = await replay();
    expect(second.report).toMatchObject({ replayed: 1, scanned: 1 });
    expect(second.lines.map((l) => l.eventId)).toEqual(['evt-f']);
    expect(await messagesIn(source)).toBe(7);
  });
});
