import type { INestMicroservice } from '@nestjs/common';
import type { Admin, Producer } from 'kafkajs';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Environment } from '@app/config';
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
  EmailVerifiedLogRepository,
  pingMongo,
  ProcessedEventRepository,
  RequestProgressRepository,
  UserStateRepository,
  VerificationLinkRepository,
} from '@app/persistence';
import {
  createLogger,
  createMetricsRegistry,
  HealthServer,
  OutcomeCounter,
} from '@app/observability';
import {
  createMailTransport,
  MailRenderer,
  mailTransportConfigFrom,
  MeteredMailTransport,
} from '@app/mail';
import { LinkVismaConnect, SendVerificationMails } from '@app/verification';
import { LinkerModule } from './linker.module';
import { MailStepModule } from './mail-step.module';
import { VERIFICATION_OUTCOMES } from './email-verified.handler';
import { DECISION_OUTCOMES, EVENT_SOURCE } from './verification-requested.handler';
import { MAIL_OUTCOMES } from './verification-mail-requested.handler';
import { TemplateVerificationMailer } from './verification-mailer';
import { DEFAULT_CONSUMER_GROUP, loadWorkerConfig } from './config';
import { VerificationWorkerModule } from './verification-worker.module';

export interface RunningWorker {
  app: INestMicroservice;
  logger: Logger;
  healthPort: number;
  /** Finishes the work in flight, commits, and closes every connection. */
  stop(): Promise<void>;
}

const SERVICE = 'verification-worker';

/**
 * Starts the worker: configuration, logger, database, topics, producer, consumer, health.
 * Every step that can fail does so here, before the first message. Used by main.ts and tests.
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
  // One registry per process: /metrics serves Node's figures and the layers' counters.
  const metrics = createMetricsRegistry(SERVICE);
  const messagingMetrics = new MessagingMetrics(metrics);
  const consumer = consumerSettingsFrom(config, DEFAULT_CONSUMER_GROUP);
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
    const connection: Connection = await connectMongo(config.MONGODB_URI);
    opened.push(connection);
    const userStates = new UserStateRepository(connection);
    const processed = new ProcessedEventRepository(connection, {
      retentionDays: config.PROCESSED_EVENTS_RETENTION_DAYS,
    });
    const progress = new RequestProgressRepository(connection);
    const links = new VerificationLinkRepository(connection, {
      retentionDays: config.LINK_RETENTION_DAYS,
    });
    const verifiedLog = new EmailVerifiedLogRepository(connection);
    await Promise.all([
      userStates.init(),
      processed.init(),
      progress.init(),
      links.init(),
      verifiedLog.init(),
    ]);

    await ensureTopics(
      kafka,
      [
        ...topicsOfConsumer(topics.VerificationRequested, consumer.retry.delaysMs.length),
        topics.VerificationStatusChanged,
        topics.VerificationBatchCompleted,
        ...topicsOfConsumer(topics.VerificationMailRequested, consumer.retry.delaysMs.length),
        ...topicsOfConsumer(topics.EmailVerified, consumer.retry.delaysMs.length),
        topics.VismaConnectLinked,
      ],
      {
        partitions: config.KAFKA_TOPIC_PARTITIONS,
        replicationFactor: config.KAFKA_TOPIC_REPLICATION_FACTOR,
        maxMessageBytes: config.KAFKA_TOPIC_MAX_MESSAGE_BYTES,
      },
    );
    const producer: Producer = createProducer(kafka);
    await producer.connect();
    opened.push({ close: () => producer.disconnect() });
    const admin: Admin = kafka.admin();
    await admin.connect();
    opened.push({ close: () => admin.disconnect() });

    const outbox = new OutboxRelay(
      new EventPublisher(producer, topics, messagingMetrics),
      [userStates.outbox, progress.outbox, progress.partsOutbox],
      { sweepIntervalMs: config.OUTBOX_SWEEP_INTERVAL_MS, graceMs: config.OUTBOX_GRACE_MS },
      log.child({ component: 'outbox' }),
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
      VerificationWorkerModule.register({
        logger: log,
        outcomes: new OutcomeCounter(metrics, DECISION_OUTCOMES),
        userStates,
        progress,
        outbox,
        coolDownMs: config.VERIFICATION_COOLDOWN_MS,
      }),
      server,
    );
    opened.push({ close: () => app.close() });

    const transport = new MeteredMailTransport(
      createMailTransport(mailTransportConfigFrom(config)),
      metrics,
    );
    opened.push({ close: () => transport.close() });
    if (!config.SMTP_URL)
      log.warn(
        { folder: config.MAIL_OUTBOX_DIR },
        'SMTP_URL is not set: mails are written as .eml files',
      );
    const mailer = new TemplateVerificationMailer(new MailRenderer(), transport, {
      from: config.MAIL_FROM,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      loginUrl: config.LOGIN_URL,
      messageIdDomain: config.MESSAGE_ID_DOMAIN,
    });
    const sendMails = new SendVerificationMails(userStates, links, progress, mailer, {
      tokenTtlMs: config.VERIFICATION_TOKEN_TTL_MS,
      source: EVENT_SOURCE,
    });
    const mailServer = new KafkaEventServer({
      kafka,
      producer,
      topics,
      consumer: {
        ...consumer,
        groupId: config.MAIL_CONSUMER_GROUP,
        maxBatch: config.MAIL_MAX_BATCH,
        minFetchBytes: config.MAIL_FETCH_MIN_BYTES,
      },
      processed,
      logger: log,
      metrics: messagingMetrics,
    });
    if (config.MAIL_STEP === 'on') {
      const mailApp = await startEventMicroservice(
        MailStepModule.register({
          logger: log,
          outbox,
          sendMails,
          outcomes: new OutcomeCounter(metrics, MAIL_OUTCOMES),
        }),
        mailServer,
      );
      opened.push({ close: () => mailApp.close() });
    } else
      log.warn('MAIL_STEP is off: nothing consumes VerificationMailRequested, no mail is sent');

    const linkerServer = new KafkaEventServer({
      kafka,
      producer,
      topics,
      consumer: { ...consumer, groupId: config.LINKER_CONSUMER_GROUP },
      processed,
      logger: log,
      metrics: messagingMetrics,
    });
    const linkerApp = await startEventMicroservice(
      LinkerModule.register({
        logger: log,
        outcomes: new OutcomeCounter(metrics, VERIFICATION_OUTCOMES),
        outbox,
        linkVismaConnect: new LinkVismaConnect(userStates, verifiedLog),
      }),
      linkerServer,
    );
    opened.push({ close: () => linkerApp.close() });
    outbox.start();
    opened.push({ close: () => outbox.stop() });

    const health = new HealthServer(
      { kafka: () => pingBroker(admin), mongodb: () => pingMongo(connection) },
      log,
      metrics,
    );
    const healthPort = await health.start(config.HEALTH_PORT);
    opened.push({ close: () => health.stop() });

    log.info(
      {
        groupId: consumer.groupId,
        mailGroupId: config.MAIL_STEP === 'on' ? config.MAIL_CONSUMER_GROUP : null,
        linkerGroupId: config.LINKER_CONSUMER_GROUP,
        healthPort,
      },
      'verification worker started',
    );
    return { app, logger: log, healthPort, stop: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
