import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Connection } from 'mongoose';
import { Partitioners, type Producer } from 'kafkajs';
import {
  createKafka,
  ensureTopics,
  EventPublisher,
  KafkaEventServer,
  topicMapFrom,
} from '@app/messaging';
import { connectMongo } from '@app/persistence';
import { createLogger } from '@app/observability';
import type { Logger } from 'pino';
import { loadWorkerConfig } from './config';
import { VerificationWorkerModule } from './verification-worker.module';
import type { Environment } from '@app/config';

export interface RunningWorker {
  app: INestMicroservice;
  logger: Logger;
  stop(): Promise<void>;
}

const SERVICE = 'verification-worker';

/**
 * Starts the worker: configuration, logger, database, topics, then the consumer. Every step that
 * can fail does so here, before the first message. Used by main.ts and by end-to-end tests.
 */
export async function startVerificationWorker(
  env: Environment = process.env,
  logger?: Logger,
): Promise<RunningWorker> {
  const config = loadWorkerConfig(env);
  const log =
    logger ??
    createLogger({
      service: SERVICE,
      version: process.env.npm_package_version ?? '0.0.0',
      level: config.LOG_LEVEL,
    });
  const topics = topicMapFrom(config);
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}.${SERVICE}`,
    logger: log,
  });

  let connection: Connection | undefined;
  let producer: Producer | undefined;
  try {
    connection = await connectMongo(config.MONGODB_URI);
    await ensureTopics(kafka, [topics.VerificationRequested, topics.VerificationStatusChanged], {
      partitions: config.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: config.KAFKA_TOPIC_REPLICATION_FACTOR,
    });
    producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // murmur2, as the Java client: a key lands on the same partition whoever produces it.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();

    const server = new KafkaEventServer({
      kafka,
      producer,
      groupId: config.CONSUMER_GROUP,
      topics,
      logger: log,
    });
    const app = await NestFactory.createMicroservice(
      VerificationWorkerModule.register({
        logger: log,
        connection,
        publisher: new EventPublisher(producer, topics),
      }),
      { strategy: server, bufferLogs: true },
    );
    app.useLogger(app.get(NestPinoLogger));
    app.enableShutdownHooks();
    await app.listen();
    log.info({ groupId: config.CONSUMER_GROUP }, 'verification worker started');

    const openProducer = producer;
    const openConnection = connection;
    return {
      app,
      logger: log,
      stop: async () => {
        await app.close();
        await openProducer.disconnect();
        await openConnection.close();
      },
    };
  } catch (error) {
    await producer?.disconnect().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    throw error;
  }
}
