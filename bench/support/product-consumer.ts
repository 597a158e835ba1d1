import { Controller, type DynamicModule, Inject, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import {
  topicMapFrom,
  KafkaEventServer,
  OnEvent,
  type ConsumerSettings,
  type ProcessedEventStore,
  type TopicMap,
} from '@app/messaging';
import { ObservabilityModule } from '@app/observability';
import { EventCounter, measurement, timeUntilCounted, type Measurement } from './measure';
import { randomSuffix, type BenchTopic } from './topics';

const COUNTER = Symbol('bench event counter');

/** No-op handler with dedupe off: measures transport, validation and dispatch only. */
@Controller()
class PlainHandler {
  constructor(@Inject(COUNTER) private readonly counter: EventCounter) {}

  @OnEvent('VerificationRequested', { dedupe: false })
  async handle(): Promise<void> {
    this.counter.add(1);
  }
}

/** The same no-op with dedupe on (the default): adds the processed-event lookups and marks. */
@Controller()
class DedupeHandler {
  constructor(@Inject(COUNTER) private readonly counter: EventCounter) {}

  @OnEvent('VerificationRequested', { dedupe: true })
  async handle(): Promise<void> {
    this.counter.add(1);
  }
}

export const PRODUCT_HANDLERS = { plain: PlainHandler, dedupe: DedupeHandler } as const;

@Module({})
class BenchWorkerModule {
  // Wired like the verification worker's module: pino as Nest's logger, one controller.
  static register(handler: Type, counter: EventCounter, logger: Logger): DynamicModule {
    return {
      module: BenchWorkerModule,
      imports: [ObservabilityModule.forRoot(logger)],
      controllers: [handler],
      providers: [{ provide: COUNTER, useValue: counter }],
    };
  }
}

export interface ProductDeps {
  kafka: Kafka;
  /** Only used for retry and dead-letter copies, which a no-op handler never causes. */
  producer: Producer;
  logger: Logger;
  settings: ConsumerSettings;
}

/**
 * One KafkaEventServer in a fresh group, assembled as apps/verification-worker/src/bootstrap.ts
 * does. Building the Nest app is outside the window; it starts at app.listen(), which connects,
 * subscribes and joins the group.
 */
export async function consumeProduct(
  deps: ProductDeps,
  topic: BenchTopic,
  handler: Type,
  processed: ProcessedEventStore | undefined,
  timeoutMs: number,
  around: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
): Promise<Measurement> {
  const groupId = `bench.consume.layer.${randomSuffix()}`;
  const topics: TopicMap = { ...topicMapFrom({}), VerificationRequested: topic.name };
  const server = new KafkaEventServer({
    kafka: deps.kafka,
    producer: deps.producer,
    topics,
    consumer: { ...deps.settings, groupId },
    ...(processed ? { processed } : {}),
    logger: deps.logger,
  });
  const counter = new EventCounter(topic.events);
  const app = await NestFactory.createMicroservice(
    BenchWorkerModule.register(handler, counter, deps.logger),
    {
      strategy: server,
      bufferLogs: true,
      abortOnError: false,
    },
  );
  app.useLogger(app.get(NestPinoLogger));
  try {
    const ms = await around(() =>
      timeUntilCounted(counter, () => app.listen(), timeoutMs, `KafkaEventServer ${groupId}`),
    );
    return measurement(counter, ms, groupId, topic.name);
  } finally {
    await app.close();
  }
}
