import type { Producer } from 'kafkajs';
import {
  CLOUDEVENTS_CONTENT_TYPE,
  type AnyCloudEvent,
  type Lane,
  laneOf,
  laneTopicOf,
  type OutboxEntry,
  toOutboxEntry,
} from '@app/contracts';
import type { TopicMap } from './kafka-env';
import type { MessagingMetrics } from './messaging-metrics';
import { groupByTopic } from './topic-messages';

/**
 * Publishes CloudEvents in structured mode, each to its type's topic (or its lane's, beside it:
 * laneTopicOf) with the contract's key. A retried send may write a message twice
 * (createProducer); consumers skip repeated ids.
 */
export class EventPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly topics: TopicMap,
    private readonly metrics?: MessagingMetrics,
  ) {}

  async publish(events: readonly AnyCloudEvent[]): Promise<void> {
    await this.send(
      events.map((event) => {
        const lane = laneOf(event);
        const entry = toOutboxEntry(event);
        const topic = this.topics[entry.type];
        return { entry, topic: lane ? laneTopicOf(topic, lane) : topic };
      }),
    );
  }

  /**
   * Passes events on to a lane's topics unchanged (same id, key and data), for a consumer group
   * of that lane to handle: a redelivery passes them on again, and that group skips the repeat.
   */
  async passOn(events: readonly AnyCloudEvent[], lane: Lane): Promise<void> {
    await this.send(
      events.map((event) => {
        const entry = toOutboxEntry(event);
        return { entry, topic: laneTopicOf(this.topics[entry.type], lane) };
      }),
    );
  }

  /**
   * Publishes already serialized events (outbox entries), each to its type's topic: no event
   * that travels in a lane is kept in an outbox (a lane's hand-offs are published directly).
   */
  async publishEntries(entries: readonly OutboxEntry[]): Promise<void> {
    await this.send(entries.map((entry) => ({ entry, topic: this.topics[entry.type] })));
  }

  /** One send, acknowledged by all in-sync replicas. */
  private async send(routed: readonly { entry: OutboxEntry; topic: string }[]): Promise<void> {
    if (routed.length === 0) return;
    const headers = { 'content-type': CLOUDEVENTS_CONTENT_TYPE };
    const topicMessages = groupByTopic(
      routed.map(({ entry, topic }) => ({
        topic,
        message: { key: entry.key, value: entry.value, headers },
      })),
    );
    await this.producer.sendBatch({ acks: -1, topicMessages });
    for (const { topic, messages } of topicMessages)
      this.metrics?.eventsProduced(topic, messages.length);
  }
}
