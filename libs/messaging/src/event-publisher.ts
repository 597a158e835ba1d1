import type { Producer } from 'kafkajs';
import {
  CLOUDEVENTS_CONTENT_TYPE,
  type AnyCloudEvent,
  type OutboxEntry,
  toOutboxEntry,
} from '@app/contracts';
import type { TopicMap } from './kafka-env';
import type { MessagingMetrics } from './messaging-metrics';
import { groupByTopic } from './topic-messages';

/**
 * Publishes CloudEvents in structured mode, each to its type's topic with the contract's key.
 * A retried send may write a message twice (createProducer); consumers skip repeated ids.
 */
export class EventPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly topics: TopicMap,
    private readonly metrics?: MessagingMetrics,
  ) {}

  async publish(events: readonly AnyCloudEvent[]): Promise<void> {
    await this.publishEntries(events.map(toOutboxEntry));
  }

  /** Publishes already serialized events (outbox entries), acknowledged by all in-sync replicas. */
  async publishEntries(entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const headers = { 'content-type': CLOUDEVENTS_CONTENT_TYPE };
    const topicMessages = groupByTopic(
      entries.map((entry) => ({
        topic: this.topics[entry.type],
        message: { key: entry.key, value: entry.value, headers },
      })),
    );
    await this.producer.sendBatch({ acks: -1, topicMessages });
    for (const { topic, messages } of topicMessages)
      this.metrics?.eventsProduced(topic, messages.length);
  }
}
