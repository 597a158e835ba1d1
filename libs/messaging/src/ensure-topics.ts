import type { Kafka } from 'kafkajs';
import { dlqTopicOf, retryTopicOf } from '@app/contracts';

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
  /**
   * The topics' `max.message.bytes`. Above the broker's 1 MB default on purpose: an oversized
   * hostile message must reach the consumer, and with it the dead-letter topic, instead of
   * being refused to whoever produced it with no trace in the product.
   */
  maxMessageBytes?: number;
}

/** A consumed topic comes with its retry topics and its dead-letter topic. */
export function topicsOfConsumer(sourceTopic: string, retries: number): string[] {
  return [
    sourceTopic,
    ...Array.from({ length: retries }, (_, i) => retryTopicOf(sourceTopic, i + 1)),
    dlqTopicOf(sourceTopic),
  ];
}

/**
 * Creates the topics a process uses before it consumes or produces. The broker's
 * auto-creation is off, so a missing topic fails here, at start-up, not at the first message.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly string[],
  layout: TopicLayout,
): Promise<void> {
  const wanted = [...new Set(topics)];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    await admin
      .createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: layout.partitions,
          replicationFactor: layout.replicationFactor,
          ...(layout.maxMessageBytes
            ? {
                configEntries: [
                  { name: 'max.message.bytes', value: String(layout.maxMessageBytes) },
                ],
              }
            : {}),
        })),
      })
      .catch((error: unknown) => {
        // Another instance starting at the same moment may have created them first.
        if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
      });
  } finally {
    await admin.disconnect();
  }
}
