import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { isObservable, lastValueFrom } from 'rxjs';
import { type EventType, isEventType, parseEvent } from '@app/contracts';
import { deadLetter, reasonFromViolation } from './dead-letter';
import type { TopicMap } from './kafka-env';

export interface KafkaEventServerOptions {
  kafka: Kafka;
  /** Used to dead-letter messages; shared with the app's publisher. */
  producer: Producer;
  groupId: string;
  topics: TopicMap;
  logger: Logger;
}

/**
 * A NestJS transport over kafkajs that hands each handler a parsed, validated CloudEvent.
 * Handlers are declared with `@EventPattern('<EventType>')`; the event type names the topic.
 *
 * A message that breaks the contract goes to `<topic>.dlq` and the partition moves on. An offset
 * is committed only after its handler finished, so a crash redelivers rather than loses.
 */
export class KafkaEventServer extends Server implements CustomTransportStrategy {
  private consumer?: Consumer;
  private readonly log: Logger;

  constructor(private readonly options: KafkaEventServerOptions) {
    super();
    this.log = options.logger.child({ component: 'kafka-event-server', groupId: options.groupId });
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(() => callback(), callback);
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  on(): never {
    throw new Error('KafkaEventServer does not emit transport events');
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('KafkaEventServer is not listening');
    return this.consumer as T;
  }

  /** The event types this process handles; a pattern that is not one fails start-up. */
  handledTypes(): EventType[] {
    return [...this.messageHandlers.keys()].map((pattern) => {
      if (!isEventType(pattern)) {
        throw new Error(`@EventPattern('${pattern}') names no event type of the contract`);
      }
      return pattern;
    });
  }

  private async start(): Promise<void> {
    const types = this.handledTypes();
    if (types.length === 0) throw new Error('no @EventPattern handlers registered');
    const typeByTopic = new Map(types.map((t) => [this.options.topics[t], t]));

    // A short long-poll: shutdown waits for the fetch in flight, so this bounds SIGTERM time.
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      maxWaitTimeInMs: 1000,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...typeByTopic.keys()], fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload, typeByTopic),
    });
    this.log.info({ topics: [...typeByTopic.keys()] }, 'consuming');
  }

  private async handleBatch(
    payload: EachBatchPayload,
    typeByTopic: Map<string, EventType>,
  ): Promise<void> {
    const { batch } = payload;
    const expected = typeByTopic.get(batch.topic);
    if (!expected) return;
    const handler = this.getHandlerByPattern(expected);
    if (!handler) return;

    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) break;
      const parsed = parseEvent(message.value, expected);
      if (!parsed.ok) {
        this.log.warn(
          {
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            code: parsed.error.code,
          },
          'message breaks the contract; dead-lettered',
        );
        await deadLetter(
          this.options.producer,
          { topic: batch.topic, partition: batch.partition, message },
          reasonFromViolation(parsed.error),
        );
      } else {
        const result: unknown = await handler(parsed.event);
        if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      }
      payload.resolveOffset(message.offset);
      await payload.heartbeat();
    }
    await payload.commitOffsetsIfNecessary();
  }
}
