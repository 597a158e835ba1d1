import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Partitioners, type Producer } from 'kafkajs';
import mongoose, { type Connection } from 'mongoose';
import type { CloudEvent } from '@app/contracts';
import {
  consumerSettingsFrom,
  consumerEnvSchema,
  createKafka,
  ensureTopics,
  type EventContext,
  KafkaEventServer,
  OnEvent,
  OnEventBatch,
  startEventMicroservice,
  topicMapFrom,
  topicsOfConsumer,
} from '@app/messaging';
import { ProcessedEventRepository } from '@app/persistence';
import { createLogger, ObservabilityModule } from '@app/observability';

/** What the probe does with an event, chosen by the test per requestId. */
export type ProbeBehaviour = (
  event: CloudEvent<'VerificationRequested'>,
  context: EventContext,
) => void | Promise<void>;

export interface Probe {
  app: INestMicroservice;
  db: Connection;
  behaviour: ProbeBehaviour;
  /** Import batches the batch handler received, by size. */
  batchSizes: number[];
  /** How many times each request was applied, and on which attempts, read from MongoDB. */
  applied(requestId: string): Promise<{ applied: number; attempts: number[] } | null>;
  stop(): Promise<void>;
}

/**
 * A real KafkaEventServer with a probe handler: it runs the test's behaviour, and records each
 * application in MongoDB ($inc), so "applied once" is read from the database, not from memory.
 */
export async function startProbe(env: Record<string, string>): Promise<Probe> {
  const logger = createLogger({
    service: 'probe',
    version: 'test',
    level: env.LOG_LEVEL ?? 'warn',
  });
  const topics = topicMapFrom(env);
  const consumer = consumerSettingsFrom(
    consumerEnvSchema.parse(env),
    env.CONSUMER_GROUP ?? 'probe',
  );
  const kafka = createKafka({
    brokers: (env.KAFKA_BROKERS ?? '').split(','),
    clientId: 'probe',
    logger,
  });
  const db = await mongoose.createConnection(env.MONGODB_URI ?? '').asPromise();
  const processed = new ProcessedEventRepository(db);
  await processed.init();
  const effects = db.collection<{ _id: string; applied: number; attempts: number[] }>(
    'probe_effects',
  );

  const retries = consumer.retry.delaysMs.length;
  await ensureTopics(
    kafka,
    [
      ...topicsOfConsumer(topics.VerificationRequested, retries),
      ...topicsOfConsumer(topics.UserImportUploaded, retries),
    ],
    { partitions: Number(env.KAFKA_TOPIC_PARTITIONS ?? 3), replicationFactor: 1 },
  );
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();

  const probe = { behaviour: (() => undefined) as ProbeBehaviour, batchSizes: [] as number[] };

  @Controller()
  class ProbeHandler {
    @OnEvent('VerificationRequested')
    async handle(
      @Payload() event: CloudEvent<'VerificationRequested'>,
      @Ctx() context: EventContext,
    ): Promise<void> {
      await probe.behaviour(event, context);
      await effects.updateOne(
        { _id: event.data.requestId },
        { $inc: { applied: 1 }, $push: { attempts: context.attempt } },
        { upsert: true },
      );
    }

    @OnEventBatch('UserImportUploaded')
    async handleBatch(events: CloudEvent<'UserImportUploaded'>[]): Promise<void> {
      probe.batchSizes.push(events.length);
      await effects.bulkWrite(
        events.map((e) => ({
          updateOne: {
            filter: { _id: e.data.importId },
            update: { $inc: { applied: 1 } },
            upsert: true,
          },
        })),
      );
    }
  }

  @Module({ imports: [ObservabilityModule.forRoot(logger)], controllers: [ProbeHandler] })
  class ProbeModule {}

  const server = new KafkaEventServer({ kafka, producer, topics, consumer, processed, logger });
  const app = await startEventMicroservice(ProbeModule, server);

  return Object.assign(probe, {
    app,
    db,
    applied: async (requestId: string) => {
      const doc = await effects.findOne({ _id: requestId });
      return doc ? { applied: doc.applied, attempts: doc.attempts ?? [] } : null;
    },
    stop: async () => {
      await app.close();
      await producer.disconnect();
      await db.dropDatabase();
      await db.close();
    },
  });
}
