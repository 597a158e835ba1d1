import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { isObservable, lastValueFrom } from 'rxjs';
import { type EventType, isEventType, type Lane, retryTopicOf } from '@app/contracts';
import { BatchProcessor, type HandlerRoute } from './batch-processor';
import type { ConsumerSettings } from './consumer-settings';
import type { EventContext, HandlerExtras } from './event-handlers';
import type { TopicMap } from './kafka-env';
import type { MessagingMetrics } from './messaging-metrics';
import type { ProcessedEventStore } from './processed-event-store';

export interface KafkaEventServerOptions {
  kafka: Kafka;
  /** Writes dead-letter and retry copies; shared with the app's publisher. */
  producer: Producer;
  topics: TopicMap;
  consumer: ConsumerSettings;
  /** The lane whose topics `topics` names; handlers see it in their EventContext. */
  lane?: Lane;
  processed?: ProcessedEventStore;
  logger: Logger;
  metrics?: MessagingMetrics;
}

interface TopicRoute {
  route: HandlerRoute;
  fromRetryTopic: boolean;
}

/**
 * The product's NestJS transport over kafkajs. Apps declare `@OnEvent('<EventType>')` or
 * `@OnEventBatch('<EventType>')` handlers; the event type names the topic. Each handler gets
 * validated CloudEvents; failures go to retry topics or the dead-letter topic (see
 * BatchProcessor), so no message blocks its partition.
 */
export class KafkaEventServer extends Server implements CustomTransportStrategy {
  private consumer?: Consumer;
  private processor?: BatchProcessor;
  private readonly log: Logger;

  constructor(private readonly options: KafkaEventServerOptions) {
    super();
    this.log = options.logger.child({
      component: 'kafka-event-server',
      groupId: options.consumer.groupId,
    });
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(() => callback(), callback);
  }

  /** Finishes the chunk in flight, commits its offsets and leaves the group. */
  async close(): Promise<void> {
    this.processor?.close();
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

  /** Every topic this server reads: each handled type's topic and its retry topics. */
  consumedTopics(): string[] {
    return [...this.topicRoutes().keys()];
  }

  private routes(): HandlerRoute[] {
    const routes = [...this.messageHandlers].map(([pattern, handler]): HandlerRoute => {
      if (!isEventType(pattern))
        throw new Error(`@OnEvent('${pattern}') names no event type of the contract`);
      const extras = (handler.extras ?? {}) as Partial<HandlerExtras>;
      return {
        type: pattern satisfies EventType,
        sourceTopic: this.options.topics[pattern],
        batch: extras.batch ?? false,
        dedupe: extras.dedupe ?? true,
        invoke: async (input, context: EventContext) => {
          const result: unknown = await handler(input, context);
          return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
        },
      };
    });
    if (routes.length === 0) throw new Error('no @OnEvent or @OnEventBatch handlers registered');
    return routes;
  }

  private topicRoutes(): Map<string, TopicRoute> {
    const byTopic = new Map<string, TopicRoute>();
    for (const route of this.routes()) {
      byTopic.set(route.sourceTopic, { route, fromRetryTopic: false });
      this.options.consumer.retry.delaysMs.forEach((_, i) =>
        byTopic.set(retryTopicOf(route.sourceTopic, i + 1), { route, fromRetryTopic: true }),
      );
    }
    return byTopic;
  }

  private async start(): Promise<void> {
    const settings = this.options.consumer;
    const byTopic = this.topicRoutes();
    const processor = new BatchProcessor({
      producer: this.options.producer,
      groupId: settings.groupId,
      processed: this.options.processed,
      retry: settings.retry,
      maxBatch: settings.maxBatch,
      maxChunkBytes: settings.maxChunkBytes,
      ...(this.options.lane ? { lane: this.options.lane } : {}),
      unavailableMaxWaitMs: settings.unavailableMaxWaitMs,
      logger: this.log,
      ...(this.options.metrics ? { metrics: this.options.metrics } : {}),
    });
    this.processor = processor;

    const consumer = this.options.kafka.consumer({
      groupId: settings.groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(settings.sessionTimeoutMs / 10)),
      // A short long-poll: shutdown waits for the fetch in flight, so this bounds SIGTERM time.
      maxWaitTimeInMs: 1000,
      minBytes: settings.minFetchBytes ?? 1,
    });
    this.consumer = consumer;
    // Every (re)join is logged: a rebalance storm is visible to operators and chaos tests.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
      this.log.info(
        { memberId: payload.memberId, durationMs: payload.duration },
        'joined the consumer group',
      ),
    );
    await consumer.connect();
    await consumer.subscribe({ topics: [...byTopic.keys()], fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: true,
      partitionsConsumedConcurrently: settings.concurrency,
      eachBatch: async (payload) => {
        const target = byTopic.get(payload.batch.topic);
        if (target) await processor.process(payload, target.route, target.fromRetryTopic);
      },
    });
    this.log.info({ topics: [...byTopic.keys()] }, 'consuming');
  }
}
