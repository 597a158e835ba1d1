import type { Kafka } from 'kafkajs';
import { dlqTopicOf } from '@app/contracts';

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
}

/**
 * Creates the topics a process uses, with their dead-letter topics, before it consumes or
 * produces. The broker's auto-creation is off, so a missing topic fails here, at start-up.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly string[],
  layout: TopicLayout,
): Promise<void> {
  const wanted = [...new Set(topics.flatMap((t) => [t, dlqTopicOf(t)]))];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: layout.partitions,
        replicationFactor: layout.replicationFactor,
      })),
    });
  } finally {
    await admin.disconnect();
  }
}
