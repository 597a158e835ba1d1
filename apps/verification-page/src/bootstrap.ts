import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import type { Admin, Producer } from 'kafkajs';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { Environment } from '@app/config';
import {
  createKafka,
  kafkaSecurityFrom,
  createProducer,
  ensureTopics,
  EventPublisher,
  MessagingMetrics,
  OutboxRelay,
  pingBroker,
  topicMapFrom,
} from '@app/messaging';
import {
  connectMongo,
  LinkUseRepository,
  MongoRateLimits,
  pingMongo,
  UserStateRepository,
  VerificationLinkRepository,
} from '@app/persistence';
import {
  createLogger,
  createMetricsRegistry,
  HealthServer,
  OutcomeCounter,
} from '@app/observability';
import { FORM_BODY_LIMIT_BYTES, PageRenderer } from '@app/pages';
import { VerificationLinkPage } from '@app/verification';
import { loadPageConfig } from './config';
import { PageExceptionFilter } from './page-exception.filter';
import { pageCsrf, securityHeaders } from './page-security';
import { VerificationPageModule } from './verification-page.module';
import { CONFIRMATION_OUTCOMES } from './verify.controller';

export interface RunningPage {
  app: INestApplication;
  logger: Logger;
  /** Where the page listens, e.g. http://127.0.0.1:8080 */
  url: string;
  healthPort: number;
  stop(): Promise<void>;
}

const SERVICE = 'verification-page';
export const EVENT_SOURCE = '/connect-provisioning/verification-page';

/**
 * Starts the verification page: configuration, database, producer, outbox relay, HTTP server.
 * Every step that can fail does so before the first request. Used by main.ts and tests.
 */
export async function startVerificationPage(
  env: Environment = process.env,
  logger?: Logger,
): Promise<RunningPage> {
  const config = loadPageConfig(env);
  const log =
    logger ??
    createLogger({
      service: SERVICE,
      version: process.env.npm_package_version ?? '0.0.0',
      level: config.LOG_LEVEL,
    });
  const secure = new URL(config.PUBLIC_BASE_URL).protocol === 'https:';
  if (!config.PAGE_CSRF_SECRET)
    log.warn('PAGE_CSRF_SECRET is not set: forms work with this instance only');
  const topics = topicMapFrom(config);
  // One registry per process: /metrics serves Node's figures and the layers' counters.
  const metrics = createMetricsRegistry(SERVICE);
  const messagingMetrics = new MessagingMetrics(metrics);
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
    const retention = { retentionDays: config.LINK_RETENTION_DAYS };
    const links = new VerificationLinkRepository(connection, retention);
    const userStates = new UserStateRepository(connection);
    const uses = new LinkUseRepository(connection, retention);
    const rateLimits = new MongoRateLimits(connection, SERVICE);
    await Promise.all([links.init(), userStates.init(), uses.init(), rateLimits.init()]);

    await ensureTopics(kafka, [topics.EmailVerified], {
      partitions: config.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: config.KAFKA_TOPIC_REPLICATION_FACTOR,
      maxMessageBytes: config.KAFKA_TOPIC_MAX_MESSAGE_BYTES,
    });
    const producer: Producer = createProducer(kafka);
    await producer.connect();
    opened.push({ close: () => producer.disconnect() });
    const admin: Admin = kafka.admin();
    await admin.connect();
    opened.push({ close: () => admin.disconnect() });

    const outbox = new OutboxRelay(
      new EventPublisher(producer, topics, messagingMetrics),
      [uses.outbox],
      { sweepIntervalMs: config.OUTBOX_SWEEP_INTERVAL_MS, graceMs: config.OUTBOX_GRACE_MS },
      log.child({ component: 'outbox' }),
    );
    outbox.start();
    opened.push({ close: () => outbox.stop() });

    // Relative, so the page works behind a proxy that mounts it under a path.
    const pages = new PageRenderer('../assets');
    const app = await NestFactory.create<NestExpressApplication>(
      VerificationPageModule.register({
        logger: log,
        outbox,
        linkPage: new VerificationLinkPage(links, userStates, uses, { source: EVENT_SOURCE }),
        pages,
        csrf: pageCsrf(config.PAGE_CSRF_SECRET, secure),
        options: { loginUrl: config.LOGIN_URL, minResponseMs: config.PAGE_MIN_RESPONSE_MS },
        rateLimitPerMinute: config.PAGE_RATE_LIMIT_PER_MINUTE,
        rateLimits,
        outcomes: new OutcomeCounter(metrics, CONFIRMATION_OUTCOMES),
      }),
      new ExpressAdapter(),
      // Nest's default parsers take JSON too, and 100 KB of it; the page reads one small form.
      { bufferLogs: true, bodyParser: false },
    );
    app.useLogger(app.get(NestPinoLogger));
    app.disable('x-powered-by');
    app.set('trust proxy', config.PAGE_TRUSTED_PROXIES);
    app.use(securityHeaders(secure));
    app.use(cookieParser());
    app.useBodyParser('urlencoded', { extended: false, limit: FORM_BODY_LIMIT_BYTES });
    app.useGlobalFilters(new PageExceptionFilter(pages, log));
    await app.listen(config.PAGE_PORT, config.PAGE_HOST);
    opened.push({ close: () => app.close() });
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.PAGE_PORT;

    const health = new HealthServer(
      { kafka: () => pingBroker(admin), mongodb: () => pingMongo(connection) },
      log,
      metrics,
    );
    const healthPort = await health.start(config.HEALTH_PORT);
    opened.push({ close: () => health.stop() });

    const url = `http://${config.PAGE_HOST}:${port}`;
    log.info(
      { url, healthPort, publicBaseUrl: config.PUBLIC_BASE_URL },
      'verification page started',
    );
    return { app, logger: log, url, healthPort, stop: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
