import type { INestMicroservice } from '@nestjs/common';
import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import type { Environment } from '@app/config';
import { ImportSheetFiles } from '@app/import-files';
import {
  consumerSettingsFrom,
  createKafka,
  kafkaSecurityFrom,
  createProducer,
  ensureTopics,
  EventPublisher,
  KafkaEventServer,
  MessagingMetrics,
  OutboxRelay,
  pingBroker,
  startEventMicroservice,
  topicMapFrom,
  topicsOfConsumer,
} from '@app/messaging';
import {
  connectMongo,
  pingMongo,
  ProcessedEventRepository,
  UserImportRepository,
  UserStateRepository,
} from '@app/persistence';
import {
  createLogger,
  createMetricsRegistry,
  HealthServer,
  OutcomeCounter,
} from '@app/observability';
import { RunUserImport } from '@app/user-import';
import { importLocationsFrom, loadImportWorkerConfig } from './config';
import { ImportWorkerModule } from './import-worker.module';
import { EVENT_SOURCE, IMPORT_ROW_OUTCOMES } from './user-import-uploaded.handler';

export interface RunningImportWorker {
  app: INestMicroservice;
  logger: Logger;
  healthPort: number;
  stop(): Promise<void>;
}

const SERVICE = 'import-worker';

/**
 * Starts the import worker: configuration, database, topics, producer, consumer, health.
 * Every step that can fail does so here, before the first message. Used by main.ts and tests.
 */
export async function startImportWorker(
  env: Environment = process.env,
  logger?: Logger,
): Promise<RunningImportWorker> {
  const config = loadImportWorkerConfig(env);
  const log =
    logger ??
    createLogger({
      service: SERVICE,
      version: process.env.npm_package_version ?? '0.0.0',
      level: config.LOG_LEVEL,
    });
  const topics = topicMapFrom(config);
  // One registry per process: /metrics serves Node's figures and the layers' counters.
  const metrics = createMetricsRegistry(SERVICE);
  const messagingMetrics = new MessagingMetrics(metrics);
  const consumer = {
    ...consumerSettingsFrom(config, config.IMPORT_CONSUMER_GROUP),
    groupId: config.IMPORT_CONSUMER_GROUP,
  };
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}.${SERVICE}`,
    logger: log,
    security: kafkaSecurityFrom(config),
  });

  const opened: { close(): Promise<unknown> }[] = [];
  const closeAll = async () => {
    for (const resource of opened.reverse()) await resource.close().catch(() => undefined);
  };
  try {
    const connection = await connectMongo(config.MONGODB_URI);
    opened.push(connection);
    const userStates = new UserStateRepository(connection);
    const imports = new UserImportRepository(connection);
    const processed = new ProcessedEventRepository(connection, {
      retentionDays: config.PROCESSED_EVENTS_RETENTION_DAYS,
    });
    await Promise.all([userStates.init(), imports.init(), processed.init()]);

    await ensureTopics(
      kafka,
      [
        ...topicsOfConsumer(topics.UserImportUploaded, consumer.retry.delaysMs.length),
        topics.UserImportCompleted,
        topics.VerificationStatusChanged,
        topics.VerificationRequested,
      ],
      {
        partitions: config.KAFKA_TOPIC_PARTITIONS,
        replicationFactor: config.KAFKA_TOPIC_REPLICATION_FACTOR,
        maxMessageBytes: config.KAFKA_TOPIC_MAX_MESSAGE_BYTES,
      },
    );
    const producer = createProducer(kafka);
    await producer.connect();
    opened.push({ close: () => producer.disconnect() });
    const admin: Admin = kafka.admin();
    await admin.connect();
    opened.push({ close: () => admin.disconnect() });

    const outbox = new OutboxRelay(
      new EventPublisher(producer, topics, messagingMetrics),
      [userStates.outbox, imports.outbox],
      { sweepIntervalMs: config.OUTBOX_SWEEP_INTERVAL_MS, graceMs: config.OUTBOX_GRACE_MS },
      log.child({ component: 'outbox' }),
    );
    const sheets = new ImportSheetFiles({
      maxBytes: config.IMPORT_MAX_BYTES,
      fetchTimeoutMs: config.IMPORT_FETCH_TIMEOUT_MS,
      locations: importLocationsFrom(config),
      limits: {
        maxRows: config.IMPORT_MAX_ROWS,
        maxMemoryMb: config.IMPORT_XLSX_MAX_MEMORY_MB,
        timeoutMs: config.IMPORT_XLSX_TIME_LIMIT_MS,
        maxUnzippedMb: config.IMPORT_XLSX_MAX_UNZIPPED_MB,
        maxCellChars: config.IMPORT_MAX_CELL_CHARS,
        maxColumns: config.IMPORT_MAX_COLUMNS,
      },
      reportDir: config.IMPORT_REPORT_DIR,
    });
    const runImport = new RunUserImport(
      sheets,
      userStates,
      imports,
      (batch) => outbox.flush(batch),
      {
        source: EVENT_SOURCE,
        batchSize: config.IMPORT_BATCH_SIZE,
        usersPerRequest: 1000,
        onProgress: ({ importId, applied, rows }) =>
          log.info({ importId, applied, rows }, 'import progress'),
      },
    );
    const server = new KafkaEventServer({
      kafka,
      producer,
      topics,
      consumer,
      processed,
      logger: log,
      metrics: messagingMetrics,
    });
    const app = await startEventMicroservice(
      ImportWorkerModule.register({
        logger: log,
        outbox,
        runImport,
        outcomes: new OutcomeCounter(metrics, IMPORT_ROW_OUTCOMES),
      }),
      server,
    );
    opened.push({ close: () => app.close() });
    outbox.start();
    opened.push({ close: () => outbox.stop() });

    const health = new HealthServer(
      { kafka: () => pingBroker(admin), mongodb: () => pingMongo(connection) },
      log,
      metrics,
    );
    const healthPort = await health.start(config.HEALTH_PORT);
    opened.push({ close: () => health.stop() });
    log.info({ groupId: consumer.groupId, healthPort }, 'import worker started');
    return { app, logger: log, healthPort, stop: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
