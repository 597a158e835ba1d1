import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import type { Admin } from 'kafkajs';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { Environment } from '@app/config';
import { createKafka, kafkaSecurityFrom, pingBroker, topicMapFrom } from '@app/messaging';
import { connectMongo, MongoRateLimits, OperatorReadRepository, pingMongo } from '@app/persistence';
import { createLogger, createMetricsRegistry, HealthServer } from '@app/observability';
import { ConsolePages } from '@app/operations';
import { FORM_BODY_LIMIT_BYTES } from '@app/pages';
import { loadConsoleConfig, type ConsoleConfig } from './config';
import { ConsoleAuth } from './console-auth';
import { ConsoleExceptionFilter } from './console-exception.filter';
import { ConsoleReads } from './console-reads';
import { consoleSecurityHeaders, noStore } from './console-security';
import { OpsConsoleModule } from './ops-console.module';

export interface RunningConsole {
  app: INestApplication;
  logger: Logger;
  /** Where the console listens, e.g. http://127.0.0.1:8084 */
  url: string;
  healthPort: number;
  stop(): Promise<void>;
}

const SERVICE = 'ops-console';

interface Closable {
  close(): Promise<unknown>;
}

/**
 * Starts the operations console: configuration, database, broker admin, HTTP server, health.
 * Reads only, but for one collection of its own: the sign-in attempts per address, shared by
 * every instance. No topic, no producer. Every step that can fail does so before the first
 * request. Used by main.ts and tests.
 */
export async function startOpsConsole(
  env: Environment = process.env,
  logger?: Logger,
): Promise<RunningConsole> {
  const config = loadConsoleConfig(env);
  const log =
    logger ?? createLogger({ service: SERVICE, version: versionOf(), level: config.LOG_LEVEL });
  const metrics = createMetricsRegistry(SERVICE);
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}.${SERVICE}`,
    logger: log,
    security: kafkaSecurityFrom(config),
  });
  const opened: Closable[] = [];
  const closeAll = async () => {
    for (const resource of opened.reverse()) await resource.close().catch(() => undefined);
  };
  try {
    const connection = await connectMongo(config.MONGODB_URI);
    opened.push(connection);
    const admin: Admin = kafka.admin();
    await admin.connect();
    opened.push({ close: () => admin.disconnect() });

    // The console's one write: sign-in attempts, counted for every instance together.
    const rateLimits = new MongoRateLimits(connection, SERVICE);
    await rateLimits.init();
    const pages = new ConsolePages();
    const auth = new ConsoleAuth(
      config.OPS_CONSOLE_TOKEN,
      config.OPS_CONSOLE_SESSION_HOURS * 3_600_000,
    );
    const app = await NestFactory.create<NestExpressApplication>(
      OpsConsoleModule.register({
        logger: log,
        reads: new ConsoleReads(
          new OperatorReadRepository(connection),
          kafka,
          topicMapFrom(config),
        ),
        pages,
        auth,
        loginAttemptsPerMinute: config.OPS_CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE,
        rateLimits,
      }),
      new ExpressAdapter(),
      // Nest's default parsers take JSON too, and 100 KB of it; the console reads one small form.
      { bufferLogs: true, bodyParser: false },
    );
    configureHttp(app, config, { pages, auth, log });
    await app.listen(config.OPS_CONSOLE_PORT, config.OPS_CONSOLE_HOST);
    opened.push({ close: () => app.close() });

    const health = new HealthServer(
      { kafka: () => pingBroker(admin), mongodb: () => pingMongo(connection) },
      log,
      metrics,
    );
    const healthPort = await health.start(config.HEALTH_PORT);
    opened.push({ close: () => health.stop() });

    // The port actually bound (0 in tests picks a free one), on the configured host.
    const url = `http://${config.OPS_CONSOLE_HOST}:${new URL(await app.getUrl()).port}`;
    log.info({ url, healthPort }, 'operations console started');
    return { app, logger: log, url, healthPort, stop: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function configureHttp(
  app: NestExpressApplication,
  config: ConsoleConfig,
  parts: { pages: ConsolePages; auth: ConsoleAuth; log: Logger },
): void {
  app.useLogger(app.get(NestPinoLogger));
  app.disable('x-powered-by');
  app.set('trust proxy', config.OPS_CONSOLE_TRUSTED_PROXIES);
  app.use(consoleSecurityHeaders());
  app.use(noStore);
  app.use(cookieParser());
  app.useBodyParser('urlencoded', { extended: false, limit: FORM_BODY_LIMIT_BYTES });
  app.useGlobalFilters(new ConsoleExceptionFilter(parts.pages, parts.auth, parts.log));
}

function versionOf(): string {
  return process.env.npm_package_version ?? '0.0.0';
}
