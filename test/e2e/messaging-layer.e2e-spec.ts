import {
  CLOUDEVENTS_CONTENT_TYPE,
  createEvent,
  dlqTopicOf,
  retryTopicOf,
  serializeEvent,
} from '@app/contracts';
import { PermanentError, replayDeadLetters, TransientError } from '@app/messaging';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaTestClient } from '../support/kafka-test-client';
import { startProbe, type Probe } from '../support/probe-consumer';
import { isolatedEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

// The messaging layer on the real broker and database: validation at the edge, retry topics,
// dead letters, idempotency and batches.
describe('messaging layer (real Kafka and MongoDB)', () => {
  const env: Record<string, string> = { ...isolatedEnv('messaging'), RETRY_DELAYS_MS: '300,600' };
  const source = env.TOPIC_VERIFICATION_REQUESTED!;
  const kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
  let probe: Probe;

  beforeAll(async () => {
    probe = await startProbe(env);
    await kafka.watch([dlqTopicOf(source), retryTopicOf(source, 1), retryTopicOf(source, 2)]);
  });
  afterAll(async () => {
    await probe?.stop();
    await kafka.close();
  });

  function request(requestId: string, id = `evt-${requestId}`) {
    return createEvent(
      'VerificationRequested',
      {
        requestId,
        tenantId: 'tenant-m',
        requestedBy: { userId: 'admin' },
        users: [{ userId: 'u1' }],
      },
      { source: '/test', id },
    );
  }

  async function send(...events: ReturnType<typeof request>[]) {
    await kafka.produce(
      source,
      events.map((e) => ({
        key: 'tenant-m',
        value: serializeEvent(e),
        headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
      })),
    );
  }

  it('dead-letters a message that breaks the schema, with a reason naming the field, and moves on', async () => {
    const bad = JSON.parse(serializeEvent(request('schema-bad')).toString()) as {
      data: { users: unknown[] };
    };
    bad.data.users = [];
    await kafka.produce(source, [{ key: 'tenant-m', value: JSON.stringify(bad) }]);
    await send(request('after-schema-bad'));

    const dead = await waitFor('the invalid message on the DLQ', () =>
      kafka.on(dlqTopicOf(source)).find((m) => m.value?.toString().includes('schema-bad')),
    );
    expect(dead.headers['error-code']).toBe('invalid_data');
    expect(dead.headers['error-message']).toContain('data.users');
    expect(dead.headers['original-topic']).toBe(source);
    expect(dead.headers['original-offset']).toMatch(/^\d+$/);
    await waitFor('the next message to be applied', () => probe.applied('after-schema-bad'));
  });

  it('retries a handler that fails twice through the retry topics and applies the event once', async () => {
    let failures = 0;
    probe.behaviour = (event) => {
      if (event.data.requestId === 'flaky' && failures < 2) {
        failures++;
        throw new TransientError('SMTP said 451, try later');
      }
    };
    await send(request('flaky'));

    const result = await waitFor('the flaky event to be applied', () => probe.applied('flaky'));
    expect(result).toEqual({ applied: 1, attempts: [2] });
    const first = kafka
      .on(retryTopicOf(source, 1))
      .find((m) => m.value?.toString().includes('flaky'));
    const second = kafka
      .on(retryTopicOf(source, 2))
      .find((m) => m.value?.toString().includes('flaky'));
    expect(first?.headers).toMatchObject({
      'retry-attempt': '1',
      'error-code': 'transient_failure',
      'original-topic': source,
    });
    expect(second?.headers).toMatchObject({ 'retry-attempt': '2', 'original-topic': source });
    expect(Number(second?.headers['retry-due-at'])).toBeGreaterThan(
      Number(first?.headers['retry-due-at']),
    );
    expect(kafka.on(dlqTopicOf(source)).some((m) => m.value?.toString().includes('flaky'))).toBe(
      false,
    );
  });

  it('dead-letters an event whose retries run out, with retries_exhausted', async () => {
    probe.behaviour = (event) => {
      if (event.data.requestId === 'always-down') throw new TransientError('still failing');
    };
    await send(request('always-down'));
    const dead = await waitFor('the exhausted event on the DLQ', () =>
      kafka.on(dlqTopicOf(source)).find((m) => m.value?.toString().includes('always-down')),
    );
    expect(dead.headers['error-code']).toBe('retries_exhausted');
    expect(dead.headers['original-topic']).toBe(source);
    expect(await probe.applied('always-down')).toBeNull();
  });

  it('sends a permanent failure straight to the DLQ, skipping the retries', async () => {
    probe.behaviour = (event) => {
      if (event.data.requestId === 'broken')
        throw new PermanentError('cannot ever work', 'bad_request');
    };
    await send(request('broken'));
    const dead = await waitFor('the permanent failure on the DLQ', () =>
      kafka.on(dlqTopicOf(source)).find((m) => m.value?.toString().includes('"broken"')),
    );
    expect(dead.headers['error-code']).toBe('bad_request');
    expect(
      kafka.on(retryTopicOf(source, 1)).some((m) => m.value?.toString().includes('"broken"')),
    ).toBe(false);
  });

  it('re-applies a dead-lettered event once its cause is fixed and the DLQ is replayed', async () => {
    let fixed = false;
    probe.behaviour = (event) => {
      if (event.data.requestId === 'needs-fix' && !fixed)
        throw new PermanentError('a bug', 'handler_bug');
    };
    await send(request('needs-fix'));
    await waitFor('the event on the DLQ', () =>
      kafka.on(dlqTopicOf(source)).find((m) => m.value?.toString().includes('needs-fix')),
    );
    expect(await probe.applied('needs-fix')).toBeNull();

    fixed = true;
    const admin = new Kafka({ brokers: env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
    const report = await replayDeadLetters(admin, {
      sourceTopic: source,
      errorCode: 'handler_bug',
    });
    expect(report.replayed).toBe(1);
    expect(
      await waitFor('the replayed event to be applied', () => probe.applied('needs-fix')),
    ).toEqual({
      applied: 1,
      attempts: [0],
    });
  });

  it('applies the same event delivered three times once', async () => {
    probe.behaviour = () => undefined;
    const event = request('thrice', 'evt-thrice');
    await send(event, event);
    await send(event);
    await send(request('after-thrice'));
    await waitFor('the marker behind the repeats', () => probe.applied('after-thrice'));
    expect(await probe.applied('thrice')).toEqual({ applied: 1, attempts: [0] });
  });

  it('keeps consuming a partition while a retry waits for its due time', async () => {
    probe.behaviour = (event) => {
      if (event.data.requestId === 'slow-retry') throw new TransientError('later');
    };
    await send(request('slow-retry'));
    await waitFor('the retry copy', () =>
      kafka.on(retryTopicOf(source, 1)).find((m) => m.value?.toString().includes('slow-retry')),
    );
    probe.behaviour = () => undefined;
    const started = Date.now();
    await send(request('not-blocked'));
    await waitFor('a new event to be applied', () => probe.applied('not-blocked'));
    expect(Date.now() - started).toBeLessThan(5000);
    await waitFor('the retried event', () => probe.applied('slow-retry'));
  });

  it('hands batch handlers whole batches of validated events', async () => {
    const importTopic = env.TOPIC_USER_IMPORT_UPLOADED!;
    const uploads = Array.from({ length: 50 }, (_, i) =>
      createEvent(
        'UserImportUploaded',
        {
          importId: `imp-${i}`,
          tenantId: 'tenant-m',
          uploadedBy: { userId: 'admin' },
          template: 'employees-users',
          file: { uri: 'file:///tmp/a.csv', name: 'a.csv', sizeBytes: 10 },
        },
        { source: '/test' },
      ),
    );
    await kafka.produce(
      importTopic,
      uploads.map((e) => ({ key: 'tenant-m', value: serializeEvent(e) })),
    );
    await waitFor(
      'all uploads applied',
      async () =>
        (await probe.db.collection('probe_effects').countDocuments({ _id: /^imp-/ as never })) ===
        50,
    );
    expect(probe.batchSizes.reduce((a, b) => a + b, 0)).toBe(50);
    expect(Math.max(...probe.batchSizes)).toBeGreaterThan(1);
  });
});
