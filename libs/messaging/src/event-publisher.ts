import type { Producer } from 'kafkajs';
import {
  CLOUDEVENTS_CONTENT_TYPE,
  type AnyCloudEvent,
  kafkaKeyOf,
  serializeEvent,
} from '@app/contracts';
import type { TopicMap } from './kafka-env';

/**
 * Publishes CloudEvents in structured mode, each to its type's topic with the contract's key.
 * The producer is idempotent, so a retried send does not write a message twice.
 */
export class EventPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly topics: TopicMap,
  ) {}

  async publish(events: readonly AnyCloudEvent[]): Promise<void> {
    if (events.length === 0) return;
    const byTopic = new Map<string, AnyCloudEvent[]>();
    for (const event of events) {
      const topic = this.topics[event.type];
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), event]);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((event) => ({
          key: kafkaKeyOf(event),
          value: serializeEvent(event),
          headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
        })),
      })),
    });
  }
}
