import type { EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import pino from 'pino';
import { createEvent, serializeEvent } from '@app/contracts';
import { Registry } from 'prom-client';
import { BatchProcessor, type BatchProcessorOptions, type HandlerRoute } from './batch-processor';
import { MessagingMetrics } from './messaging-metrics';
import { appliedEventKey, type ProcessedEventStore } from './processed-event-store';

/** Applied events in memory, by scope and key, as the repository keeps them. */
function memoryProcessed(): ProcessedEventStore & { keys: Set<string> } {
  const keys = new Set<string>();
  return {
    keys,
    findProcessed: async (scope, refs) =>
      new Set(refs.map(appliedEventKey).filter((k) => keys.has(`${scope}|${k}`))),
    markProcessed: async (scope, refs) => {
      for (const ref of refs) keys.add(`${scope}|${appliedEventKey(ref)}`);
    },
  };
}

// Unit tests of the processor's decisions, with Kafka's batch and producer as fakes. The real
// broker paths (DLQ, retry topics, commits) are covered by test/e2e/messaging-layer.

function message(
  offset: number,
  headers: Record<string, string> = {},
  { tenantId = 't', id = `e${offset}`, source = '/test' } = {},
): KafkaMessage {
  const event = createEvent(
    'VerificationRequested',
    {
      requestId: `r${offset}`,
      tenantId,
      requestedBy: { userId: 'a' },
      users: [{ userId: 'u' }],
    },
    { source, id },
  );
  return {
    offset: String(offset),
    key: Buffer.from('t'),
    value: serializeEvent(event),
    headers,
    timestamp: '0',
    attributes: 0,
  };
}

function fakeBatch(topic: string, messages: KafkaMessage[], running = () => true) {
  const resume = jest.fn();
  const payload = {
    batch: { topic, partition: 0, messages, highWatermark: '100' },
    resolveOffset: jest.fn(),
    heartbeat: jest.fn(async () => undefined),
    isRunning: running,
    isStale: () => false,
    commitOffsetsIfNecessary: jest.fn(async () => undefined),
    uncommittedOffsets: () => ({ topics: [] }),
    pause: jest.fn(() => resume),
  };
  return { payload: payload as unknown as EachBatchPayload, fake: payload, resume };
}

function processor(
  now = Date.now,
  metrics?: MessagingMetrics,
  processed?: ProcessedEventStore,
  options: Partial<BatchProcessorOptions> = {},
) {
  const producer = { sendBatch: jest.fn(async () => undefined) };
  const sut = new BatchProcessor({
    producer: producer as unknown as Producer,
    groupId: 'g',
    ...(processed ? { processed } : {}),
    retry: { delaysMs: [1000] },
    maxBatch: 100,
    unavailableMaxWaitMs: 60_000,
    logger: pino({ level: 'silent' }),
    now,
    ...(metrics ? { metrics } : {}),
    ...options,
  });
  return { sut, producer };
}

function route(invoke: HandlerRoute['invoke']): HandlerRoute {
  return { type: 'VerificationRequested', sourceTopic: 'src', batch: false, dedupe: false, invoke };
}

const databaseDown = () =>
  Object.assign(new Error('connect ECONNREFUSED'), { name: 'MongoServerSelectionError' });

describe('BatchProcessor', () => {
  afterEach(() => jest.useRealTimers());

  it("treats another tenant's event with the same id as another event, not a repeat", async () => {
    const processed = memoryProcessed();
    const { sut } = processor(Date.now, undefined, processed);
    const tenants: string[] = [];
    const invoke = jest.fn(async (event: unknown) => {
      tenants.push((event as { data: { tenantId: string } }).data.tenantId);
    });
    const dedupe = { ...route(invoke), dedupe: true };
    await sut.process(fakeBatch('src', [message(1, {}, { id: 'same' })]).payload, dedupe, false);
    // A repeat of tenant t's event, and tenant x's event that happens to share its id.
    const again = [message(2, {}, { id: 'same' }), message(3, {}, { tenantId: 'x', id: 'same' })];
    await sut.process(fakeBatch('src', again).payload, dedupe, false);
    expect(tenants).toEqual(['t', 'x']);
  });

  it("treats another producer's event with the same id as another event (CloudEvents: id is unique per source)", async () => {
    const processed = memoryProcessed();
    const { sut } = processor(Date.now, undefined, processed);
    const sources: string[] = [];
    const invoke = jest.fn(async (event: unknown) => {
      sources.push((event as { source: string }).source);
    });
    const dedupe = { ...route(invoke), dedupe: true };
    await sut.process(fakeBatch('src', [message(1, {}, { id: 'same' })]).payload, dedupe, false);
    const again = [
      message(2, {}, { id: 'same' }),
      message(3, {}, { id: 'same', source: '/other-producer' }),
    ];
    await sut.process(fakeBatch('src', again).payload, dedupe, false);
    expect(sources).toEqual(['/test', '/other-producer']);
  });

  it("sets aside only the event that failed, not another tenant's event with the same id", async () => {
    const processed = memoryProcessed();
    const { sut, producer } = processor(Date.now, undefined, processed);
    const invoke = jest.fn(async (event: unknown) => {
      if ((event as { data: { tenantId: string } }).data.tenantId === 'x')
        throw Object.assign(new Error('bad'), { failureKind: 'permanent' });
    });
    const chunk = [message(1, {}, { id: 'same' }), message(2, {}, { tenantId: 'x', id: 'same' })];
    await sut.process(fakeBatch('src', chunk).payload, { ...route(invoke), dedupe: true }, false);
    const copies = (
      producer.sendBatch.mock.calls as unknown as [{ topicMessages: { messages: unknown[] }[] }][]
    ).flatMap(([arg]) => arg.topicMessages.flatMap((t) => t.messages));
    expect(copies).toHaveLength(1);
    expect(processed.keys.size).toBe(1);
  });

  it('ends a chunk at maxChunkBytes of values, but never leaves a chunk empty', async () => {
    const messages = [1, 2, 3, 4, 5].map((offset) => message(offset));
    const size = (messages[0] as KafkaMessage).value?.length ?? 0;
    const chunks: number[] = [];
    const invoke = jest.fn(async (events: unknown) => {
      chunks.push((events as unknown[]).length);
    });
    const batchRoute = { ...route(invoke), batch: true };
    const { sut } = processor(Date.now, undefined, undefined, { maxChunkBytes: 2 * size + 10 });
    await sut.process(fakeBatch('src', messages).payload, batchRoute, false);
    expect(chunks).toEqual([2, 2, 1]);

    const tiny = processor(Date.now, undefined, undefined, { maxChunkBytes: 1 }).sut;
    chunks.length = 0;
    await tiny.process(fakeBatch('src', messages.slice(0, 2)).payload, batchRoute, false);
    expect(chunks).toEqual([1, 1]);
  });

  it('leaves the rest of a batch to the next fetch once its slice is spent, after at least one chunk', async () => {
    let clock = 0;
    const invoke = jest.fn(async () => {
      clock += 300; // each event takes 300 ms
    });
    const { sut } = processor(() => clock, undefined, undefined, { maxBatch: 1, sliceMs: 500 });
    const { payload, fake } = fakeBatch(
      'src',
      [1, 2, 3, 4].map((offset) => message(offset)),
    );

    await sut.process(payload, route(invoke), false);

    // 300 ms: under the slice, go on; 600 ms: spent. Offsets 3 and 4 are fetched again.
    expect(invoke).toHaveBeenCalledTimes(2);
    expect(fake.resolveOffset.mock.calls).toEqual([['1'], ['2']]);

    const slow = processor(() => clock, undefined, undefined, { maxBatch: 1, sliceMs: 1 }).sut;
    invoke.mockClear();
    await slow.process(fakeBatch('src', [message(5)]).payload, route(invoke), false);
    expect(invoke).toHaveBeenCalledTimes(1);
  });

  it('waits in place while the database is unavailable, then applies the event and commits', async () => {
    const { sut, producer } = processor();
    const invoke = jest.fn().mockRejectedValueOnce(databaseDown()).mockResolvedValue(undefined);
    const { payload, fake } = fakeBatch('src', [message(7)]);

    await sut.process(payload, route(invoke), false);

    expect(invoke).toHaveBeenCalledTimes(2);
    expect(producer.sendBatch).not.toHaveBeenCalled(); // nothing was moved aside
    expect(fake.resolveOffset).toHaveBeenCalledWith('7');
    expect(fake.commitOffsetsIfNecessary).toHaveBeenCalled();
  });

  it('leaves the offset unresolved when the consumer stops during the wait, so it is redelivered', async () => {
    const { sut } = processor();
    let running = true;
    const invoke = jest.fn(async () => {
      running = false;
      throw databaseDown();
    });
    const { payload, fake } = fakeBatch('src', [message(3)], () => running);

    await sut.process(payload, route(invoke), false);

    expect(fake.resolveOffset).not.toHaveBeenCalled();
  });

  it('handles what is due on a retry topic and pauses the partition at the first message not yet due', async () => {
    const now = 1_000_000;
    const { sut } = processor(() => now);
    const invoke = jest.fn(async () => undefined);
    const due = message(1, {
      'retry-attempt': '1',
      'retry-due-at': String(now - 1),
      'original-topic': 'src',
    });
    const later = message(2, {
      'retry-attempt': '1',
      'retry-due-at': String(now + 60_000),
      'original-topic': 'src',
    });
    const { payload, fake } = fakeBatch('src.retry.1', [due, later]);

    await sut.process(payload, route(invoke), true);
    sut.close();

    expect(invoke).toHaveBeenCalledTimes(1);
    expect(fake.resolveOffset).toHaveBeenCalledWith('1');
    expect(fake.resolveOffset).not.toHaveBeenCalledWith('2');
    expect(fake.pause).toHaveBeenCalledTimes(1);
  });

  it('dead-letters a retry copy whose headers are malformed instead of guessing', async () => {
    const { sut, producer } = processor();
    const invoke = jest.fn(async () => undefined);
    const { payload } = fakeBatch('src.retry.1', [
      message(5, { 'retry-attempt': 'many', 'retry-due-at': '0', 'original-topic': 'src' }),
    ]);

    await sut.process(payload, route(invoke), true);

    expect(invoke).not.toHaveBeenCalled();
    const [[call]] = producer.sendBatch.mock.calls as unknown as [
      [{ topicMessages: { topic: string; messages: { headers: Record<string, string> }[] }[] }],
    ];
    expect(call.topicMessages[0]?.topic).toBe('src.dlq');
    expect(call.topicMessages[0]?.messages[0]?.headers['error-code']).toBe(
      'malformed_retry_headers',
    );
  });

  it('counts what became of each event and the partition lag for /metrics', async () => {
    const registry = new Registry();
    const { sut } = processor(Date.now, new MessagingMetrics(registry));
    const permanent = new TypeError('bug');
    const transient = Object.assign(new Error('451 try later'), { responseCode: 451 });
    const invoke = jest.fn(async (event: unknown) => {
      const id = (event as { id: string }).id;
      if (id === 'e3') throw permanent;
      if (id === 'e4') throw transient;
    });
    const notJson = { ...message(5), value: Buffer.from('{oops') };
    const { payload } = fakeBatch('src', [
      message(1),
      message(2),
      message(2),
      message(3),
      message(4),
      notJson,
    ]);

    await sut.process(payload, route(invoke), false);

    const text = await registry.metrics();
    const count = (result: string) =>
      new RegExp(
        `connect_events_consumed_total\\{group="g",topic="src",result="${result}"\\} (\\d+)`,
      ).exec(text)?.[1];
    expect(count('handled')).toBe('2');
    expect(count('duplicate')).toBe('1');
    expect(count('retried')).toBe('1');
    expect(count('dead_lettered')).toBe('2'); // the bug and the value that is not JSON
    expect(text).toContain('connect_consumer_lag{group="g",topic="src",partition="0"} 94');
  });
});
