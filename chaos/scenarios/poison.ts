import mongoose from 'mongoose';
import {
  CLOUDEVENTS_CONTENT_TYPE,
  createEvent,
  serializeEvent,
  type AnyCloudEvent,
} from '@app/contracts';
import { waitFor } from '../../test/support/wait-for';
import type { ExpectedDeadLetter } from '../dead-letters';
import { check, type Scenario, type ScenarioResult } from '../scenario';
import { World } from '../world';

/** A hostile message and the `error-code` its dead-letter copy must carry. */
type Poison = {
  name: string;
  code: string;
  value: Buffer | null;
  headers?: Record<string, string>;
};

const envelope = (type: string, data: unknown) =>
  Buffer.from(
    JSON.stringify({
      specversion: '1.0',
      id: `poison-${Math.random().toString(36).slice(2)}`,
      source: '/chaos',
      type,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data,
    }),
  );

/** The hostile inputs every consumed topic gets, for an event type and a schema-breaking body. */
function poisons(type: string): Poison[] {
  return [
    { name: 'not JSON', code: 'not_json', value: Buffer.from('{"this is": not json') },
    { name: 'no value', code: 'empty', value: null },
    {
      name: 'not a CloudEvent',
      code: 'not_cloudevent',
      value: Buffer.from(JSON.stringify({ hello: 'world' })),
    },
    {
      name: 'wrong specversion',
      code: 'not_cloudevent',
      value: Buffer.from(envelope(type, {}).toString().replace('"1.0"', '"0.3"')),
    },
    {
      name: 'schema violation',
      code: 'invalid_data',
      value: envelope(type, { tenantId: '', users: 'none' }),
    },
    { name: 'unknown type', code: 'unknown_type', value: envelope('SomethingElse', {}) },
    {
      name: 'a 10 MB value',
      code: 'invalid_data',
      value: envelope(type, { padding: 'x'.repeat(10 * 1024 * 1024) }),
    },
    {
      // On a source topic the retry headers are not read: the body is what fails.
      name: 'malformed retry headers',
      code: 'invalid_data',
      value: envelope(type, { tenantId: 42 }),
      headers: { 'retry-attempt': 'banana', 'retry-due-at': 'soon' },
    },
  ];
}

/**
 * Scenario 6: poison and hostile input on every consumed topic. Each reaches `<topic>.dlq` with
 * its reason, and a valid event sent after them is still handled: the partition keeps moving.
 */
export const poison: Scenario = {
  name: 'poison-input',
  quick: true,
  async run(_size, worlds: World[]): Promise<ScenarioResult> {
    const world = await World.create('poison', { KAFKA_TOPIC_PARTITIONS: '1' });
    worlds.push(world);
    await world.start('verification-worker');
    await world.start('import-worker');
    const consumed = [
      'VerificationRequested',
      'EmailVerified',
      'UserImportUploaded',
      'VerificationMailRequested',
    ] as const;
    await world.kafka.watch(consumed.map((t) => `${world.topic(t)}.dlq`));
    await world.watch('VerificationBatchCompleted', 'UserImportCompleted');
    let sent = 0;
    const expected: ExpectedDeadLetter[] = [];
    for (const type of consumed) {
      const list = poisons(type);
      sent += list.length;
      // One partition, and the poison goes first: poison i is read at offset i.
      list.forEach((p, i) =>
        expected.push({ topic: world.topic(type), code: p.code, at: `0@${i}` }),
      );
      await world.kafka.produce(
        world.topic(type),
        list.map((p) => ({
          key: 'chaos',
          value: p.value,
          headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE, ...p.headers },
        })),
      );
    }
    // Valid events behind the poison, one per topic with a visible effect.
    const valid: [keyof typeof VALID, AnyCloudEvent][] = Object.entries(VALID).map(
      ([type, make]) => [type as keyof typeof VALID, make()],
    );
    for (const [type, event] of valid)
      await world.kafka.produce(world.topic(type), [
        {
          key: 'chaos',
          value: serializeEvent(event),
          headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
        },
      ]);
    await waitFor(
      'the valid request behind the poison',
      () => world.completionsOf('after-poison')[0],
      { timeoutMs: 120_000 },
    );
    await waitFor(
      'the valid import behind the poison',
      () => world.kafka.json(world.topic('UserImportCompleted'))[0],
      { timeoutMs: 120_000 },
    );
    const db = await mongoose.createConnection(world.env.MONGODB_URI!).asPromise();
    await waitFor(
      'the valid EmailVerified behind the poison',
      async () => (await db.collection('email_verified_events').countDocuments()) > 0 || undefined,
    );
    await db.close();
    const dead = () => consumed.flatMap((t) => world.kafka.on(`${world.topic(t)}.dlq`));
    await waitFor('every poison in a dead-letter topic', () => dead().length >= sent || undefined, {
      timeoutMs: 60_000,
    });
    const letters = dead();
    const withReason = letters.filter((m) => (m.headers['error-code'] ?? '') !== '').length;
    const codes = [...new Set(letters.map((m) => m.headers['error-code']))].sort().join(', ');
    return {
      injected: `${sent} poison messages (${poisons('x')
        .map((p) => p.name)
        .join(', ')}) on ${consumed.length} topics, then a valid event on each`,
      counted: `${letters.length} in dead-letter topics, ${withReason} with a reason (${codes}); the valid events were handled`,
      violations: [
        ...check(
          withReason === letters.length,
          `${letters.length - withReason} dead letters without a reason`,
        ),
      ],
      // Exactly the poison, each with its code and where it was read: the valid event behind
      // it on each topic, and everything the valid events caused, is not set aside.
      deadLetters: expected,
    };
  },
};

const VALID = {
  VerificationRequested: () =>
    createEvent(
      'VerificationRequested',
      {
        requestId: 'after-poison',
        tenantId: 'chaos',
        requestedBy: { userId: 'chaos' },
        users: [{ userId: 'p1', email: 'p1@example.se' }],
      },
      { source: '/chaos' },
    ),
  EmailVerified: () =>
    createEvent(
      'EmailVerified',
      {
        tenantId: 'chaos',
        userId: 'nobody',
        email: 'nobody@example.se',
        verifiedAt: new Date().toISOString(),
        method: 'visma-connect',
      },
      { source: '/chaos' },
    ),
  UserImportUploaded: () =>
    createEvent(
      'UserImportUploaded',
      {
        importId: 'after-poison',
        tenantId: 'chaos',
        uploadedBy: { userId: 'chaos' },
        template: 'employees-users',
        file: { uri: 'file:///nonexistent/anstallda.csv', name: 'anstallda.csv', sizeBytes: 10 },
      },
      { source: '/chaos' },
    ),
};
