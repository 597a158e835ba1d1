import type { Kafka } from 'kafkajs';
import type { ConsumerSettings } from '@app/messaging';
import { EventCounter, measurement, timeUntilCounted, type Measurement } from './measure';
import { randomSuffix, type BenchTopic } from './topics';

/**
 * The baseline: kafkajs with nothing on top. The consumer settings are the product's, so the
 * difference is the layer's own work (parse, validate, route, Nest dispatch, commit), not tuning.
 */
export async function consumeRaw(
  kafka: Kafka,
  topic: BenchTopic,
  settings: ConsumerSettings,
  timeoutMs: number,
  /** Work done on each value, for the variants that show what parsing alone costs. */
  perValue?: (value: Buffer | null) => unknown,
): Promise<Measurement> {
  const groupId = `bench.consume.raw.${randomSuffix()}`;
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: settings.sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(settings.sessionTimeoutMs / 10)),
    maxWaitTimeInMs: 1000,
  });
  const counter = new EventCounter(topic.events);
  try {
    // Connect and subscribe are outside the window: it starts at run(), which joins the group.
    await consumer.connect();
    await consumer.subscribe({ topics: [topic.name], fromBeginning: true });
    const ms = await timeUntilCounted(
      counter,
      () =>
        consumer.run({
          partitionsConsumedConcurrently: settings.concurrency,
          eachBatch: async (payload) => {
            const { messages } = payload.batch;
            const last = messages[messages.length - 1];
            if (!last) return;
            if (perValue) for (const m of messages) perValue(m.value);
            payload.resolveOffset(last.offset);
            await payload.heartbeat();
            counter.add(messages.length);
          },
        }),
      timeoutMs,
      `raw consumer ${groupId}`,
    );
    return measurement(counter, ms, groupId, topic.name);
  } finally {
    await consumer.disconnect();
  }
}
