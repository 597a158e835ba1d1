import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Logger, DestinationStream } from 'pino';
import type { TopicMap } from '@app/messaging';
import { createLogger, HealthServer } from '@app/observability';
import { ClosingStack } from './closing-stack';
import { type RuntimeConfig, ServiceRuntimeModule } from './service-runtime.module';
import type { StartStep } from './start-step';

export interface ServiceSpec<C extends RuntimeConfig> {
  service: string;
  /** Loaded and validated by the app: a bad setting has failed before anything connects. */
  config: C & { LOG_LEVEL: string; HEALTH_PORT: number };
  /** The process's logger; made from the config when not given (tests pass their own). */
  logger?: Logger;
  /** Where a logger made here writes; stdout by default. */
  destination?: DestinationStream;
  /** The app's module: its providers, controllers and handlers. */
  module: Type | DynamicModule;
  /** The topics to create when missing, before the producer connects; none: no producer. */
  topics?: (topics: TopicMap) => string[];
  /** What the app starts once connected, in order; the shutdown runs them backwards. */
  steps: readonly StartStep[];
  /** The start-up's last log line: its message and fields. */
  started: { message: string; fields?: (app: INestApplication) => Record<string, unknown> };
}

export interface RunningService {
  app: INestApplication;
  logger: Logger;
  healthPort: number;
  /** Stops taking work, finishes the work in flight and closes every connection. */
  stop(): Promise<void>;
}

/**
 * The life of every service: connect (database, then broker), start the app's steps, then
 * the health server. Every step that can fail does so here, before the first message or
 * request; what was opened is closed again. Stopping runs the start backwards.
 */
export async function startService<C extends RuntimeConfig>(
  spec: ServiceSpec<C>,
): Promise<RunningService> {
  const { config } = spec;
  const logger =
    spec.logger ??
    createLogger({
      service: spec.service,
      version: process.env.npm_package_version ?? '0.0.0',
      level: config.LOG_LEVEL,
      ...(spec.destination ? { destination: spec.destination } : {}),
    });
  const closing = new ClosingStack();
  try {
    const app = await NestFactory.create(
      rootModule(spec, logger, closing),
      new ExpressAdapter(),
      // abortOnError off: a failed connection is thrown to the caller, not process.exit(1).
      // Nest's default parsers take JSON too, and 100 KB of it; the apps read one small form.
      { bufferLogs: true, bodyParser: false, abortOnError: false },
    );
    app.useLogger(app.get(NestPinoLogger));
    // The container closes after the steps, before the connections it was given; an HTTP
    // app's listener closes it earlier, at its own step (a second close does nothing more).
    closing.push('nest', () => app.close());
    for (const step of spec.steps) await step(app, closing);

    const health = app.get(HealthServer);
    const healthPort = await health.start(config.HEALTH_PORT);
    closing.push('health', () => health.stop());
    logger.info({ ...spec.started.fields?.(app), healthPort }, spec.started.message);
    return { app, logger, healthPort, stop: () => closing.closeAll() };
  } catch (error) {
    await closing.closeAll();
    throw error;
  }
}

function rootModule<C extends RuntimeConfig>(
  spec: ServiceSpec<C>,
  logger: Logger,
  closing: ClosingStack,
): DynamicModule {
  @Module({})
  class ServiceModule {}
  return {
    module: ServiceModule,
    imports: [
      ServiceRuntimeModule.forRoot({
        service: spec.service,
        config: spec.config,
        logger,
        closing,
        ...(spec.topics ? { topics: spec.topics } : {}),
      }),
      spec.module,
    ],
  };
}
