import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';
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
  leaderWaitMs = LEADER_WAIT_MS,
): Promise<void> {
  const wanted = [...new Set(topics)];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length > 0) await createTopics(admin, missing, layout);
    // Also when they existed or another instance won the race: a topic created a moment ago
    // by another process may have no leader yet, and subscribing to it then fails.
    await waitForLeaders(admin, wanted, leaderWaitMs);
  } finally {
    await admin.disconnect();
  }
}

async function createTopics(admin: Admin, topics: string[], layout: TopicLayout): Promise<void> {
  await admin
    .createTopics({
      // kafkajs waits for leaders but retries only LEADER_NOT_AVAILABLE; a busy broker answers
      // UNKNOWN_TOPIC_OR_PARTITION for a while instead, so the caller waits for leaders itself.
      waitForLeaders: false,
      topics: topics.map((topic) => ({
        topic,
        numPartitions: layout.partitions,
        replicationFactor: layout.replicationFactor,
        ...(layout.maxMessageBytes
          ? {
              configEntries: [{ name: 'max.message.bytes', value: String(layout.maxMessageBytes) }],
            }
          : {}),
      })),
    })
    .catch((error: unknown) => {
      const type = (error as { type?: string }).type;
      // Another instance starting at the same moment may have created them first; a busy
      // broker may not know them yet. Either way the caller waits for their leaders next.
      if (type === 'TOPIC_ALREADY_EXISTS' || type === 'UNKNOWN_TOPIC_OR_PARTITION') return;
      throw error;
    });
}

const LEADER_WAIT_MS = 30_000;
const LEADER_POLL_MS = 250;

/** Until every partition of `topics` has a leader; the broker's last answer if it never does. */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = new Error(
    `topics have no leaders after ${timeoutMs} ms: ${topics.join(', ')}`,
  );
  while (Date.now() <= deadline) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      const led = found.every(
        (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
      );
      if (found.length === topics.length && led) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(LEADER_POLL_MS);
  }
  throw lastError;
}
