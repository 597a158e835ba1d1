import type { INestApplication, Type } from '@nestjs/common';
import type { MessageHandler } from '@nestjs/microservices';
import type { Kafka, Producer } from 'kafkajs';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { type EventType, type Lane, laneTopicOf } from '@app/contracts';
import {
  type ConsumerSettings,
  KafkaEventServer,
  type KafkaEventServerOptions,
  MessagingMetrics,
  PassErrorsToTransportFilter,
  type ProcessedEventStore,
  type TopicMap,
} from '@app/messaging';
import type { StartStep } from './start-step';
import { KAFKA, LOGGER, PRODUCER, TOPICS } from './tokens';

export interface ConsumerGroupSpec {
  /** Names the group in the shutdown order. */
  name: string;
  /** The event types this group consumes: the handlers of other types are not its own. */
  events: readonly EventType[];
  consumer: ConsumerSettings;
  /** Where applied event ids are kept, to skip redeliveries: a provider of the app. */
  processed?: Type<ProcessedEventStore>;
  /** Reads this lane's topic of its event types (laneTopicOf) instead of their own. */
  lane?: Lane;
}

/** The topics a group reads: its lane's, beside the configured ones, when it has one. */
export function topicsOfLane(topics: TopicMap, lane: Lane | undefined): TopicMap {
  if (!lane) return topics;
  const entries = Object.entries(topics).map(([type, topic]) => [type, laneTopicOf(topic, lane)]);
  return Object.fromEntries(entries) as TopicMap;
}

/**
 * One app can run several consumer groups (a slow SMTP server must not stall decisions), all
 * on one container. Nest hands every handler of the app to every server, so each group keeps
 * those of its own event types, and refuses to start without a handler for each of them.
 */
export class ConsumerGroupServer extends KafkaEventServer {
  constructor(
    options: KafkaEventServerOptions,
    private readonly events: readonly EventType[],
  ) {
    super(options);
  }

  override addHandler(
    pattern: unknown,
    callback: MessageHandler,
    isEventHandler?: boolean,
    extras?: Record<string, unknown>,
  ): void {
    if (this.events.some((type) => type === pattern))
      super.addHandler(pattern, callback, isEventHandler, extras);
  }

  override listen(callback: (error?: unknown) => void): void {
    const missing = this.events.filter((type) => !this.messageHandlers.has(type));
    if (missing.length > 0) callback(new Error(`no handler for ${missing.join(', ')}`));
    else super.listen(callback);
  }
}

/** Starts a consumer group on the app's container; the shutdown stops it, draining first. */
export function consumerGroup(spec: ConsumerGroupSpec): StartStep {
  return async (app: INestApplication, closing) => {
    const server = new ConsumerGroupServer(
      {
        kafka: app.get<Kafka>(KAFKA),
        producer: app.get<Producer>(PRODUCER),
        topics: topicsOfLane(app.get<TopicMap>(TOPICS), spec.lane),
        ...(spec.lane ? { lane: spec.lane } : {}),
        consumer: spec.consumer,
        ...(spec.processed ? { processed: app.get(spec.processed) } : {}),
        logger: app.get<Logger>(LOGGER),
        metrics: app.get(MessagingMetrics),
      },
      spec.events,
    );
    // Deferred, so the filter is in place before its handlers are bound; not inheriting the
    // app's config: an HTTP app's filters answer requests, not events.
    const microservice = app.connectMicroservice(
      { strategy: server },
      { deferInitialization: true },
    );
    microservice.useLogger(app.get(NestPinoLogger));
    microservice.useGlobalFilters(new PassErrorsToTransportFilter());
    await microservice.listen();
    closing.push(spec.name, () => server.close());
  };
}
