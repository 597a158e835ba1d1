import type { Server } from 'node:http';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Environment } from '@app/config';
import type { TopicMap } from '@app/messaging';
import type { RuntimeConfig } from './service-runtime.module';
import { type RunningService, type ServiceSpec, startService } from './start-service';
import type { StartStep } from './start-step';

type ServiceConfig = RuntimeConfig & { LOG_LEVEL: string; HEALTH_PORT: number };

/** What is particular to one app; everything else is the shared skeleton of startService. */
export interface ServiceDefinition<C extends ServiceConfig> {
  service: string;
  /** Validates the environment: a bad setting fails before anything connects. */
  loadConfig: (env: Environment) => C;
  /** The app's module: its providers, controllers and handlers. */
  module: Type | DynamicModule;
  /** The topics to create when missing, before the producer connects; none: no producer. */
  topics?: (topics: TopicMap, config: C) => string[];
  /** What the app starts once connected, in order; the shutdown runs them backwards. */
  steps: (config: C) => readonly StartStep[];
  /** The start-up's last log line: its message and fields. */
  started: { message: string; fields?: (config: C) => Record<string, unknown> };
}

/** Starts the service from the environment; tests pass their own environment and logger. */
export type ServiceStarter<R> = (env?: Environment, logger?: Logger) => Promise<R>;

export interface RunningHttpService extends RunningService {
  /** Where the app listens, e.g. http://127.0.0.1:8080 (the port bound: 0 picks a free one) */
  url: string;
}

export function defineService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
): ServiceStarter<RunningService> {
  return (env = process.env, logger) => startService(specOf(definition, env, logger));
}

/** A service with an HTTP listener (a serveHttp step): its URL is logged and returned. */
export function defineHttpService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
): ServiceStarter<RunningHttpService> {
  return async (env = process.env, logger) => {
    const spec = specOf(definition, env, logger);
    const running = await startService({
      ...spec,
      started: {
        message: spec.started.message,
        fields: (app) => ({ url: listeningUrl(app), ...spec.started.fields?.(app) }),
      },
    });
    return { ...running, url: listeningUrl(running.app) };
  };
}

function specOf<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  env: Environment,
  logger: Logger | undefined,
): ServiceSpec<C> {
  const config = definition.loadConfig(env);
  const { topics, started } = definition;
  return {
    service: definition.service,
    config,
    ...(logger ? { logger } : {}),
    module: definition.module,
    ...(topics ? { topics: (t: TopicMap) => topics(t, config) } : {}),
    steps: definition.steps(config),
    started: {
      message: started.message,
      ...(started.fields ? { fields: () => started.fields?.(config) ?? {} } : {}),
    },
  };
}

function listeningUrl(app: INestApplication): string {
  const address = (app as INestApplication<Server>).getHttpServer().address();
  if (typeof address !== 'object' || address === null)
    throw new Error('defineHttpService: the app has no serveHttp step listening');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${String(address.port)}`;
}
