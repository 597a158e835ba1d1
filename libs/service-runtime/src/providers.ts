import type { FactoryProvider, Type } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { OutboxStore } from '@app/contracts';
import { EventPublisher, MessagingMetrics, OutboxRelay, type TopicMap } from '@app/messaging';
import { OutcomeCounter } from '@app/observability';
import { LOGGER, METRICS, MONGO_CONNECTION, PRODUCER, SERVICE_CONFIG, TOPICS } from './tokens';

type Instances<T extends readonly Type<unknown>[]> = {
  [K in keyof T]: T[K] extends Type<infer I> ? I : never;
};

/**
 * A repository on the process's connection, its indexes made before anything uses it: a
 * failure stops the start instead of the first query.
 */
export function repositoryProvider<T extends { init(): Promise<unknown> }, C>(
  type: Type<T>,
  create: (connection: Connection, config: C) => T,
): FactoryProvider<T> {
  return {
    provide: type,
    useFactory: async (connection: Connection, config: C) => {
      const repository = create(connection, config);
      await repository.init();
      return repository;
    },
    inject: [MONGO_CONNECTION, SERVICE_CONFIG],
  };
}

/** The outbox relay over the given repositories' outboxes, publishing with the producer. */
export function outboxRelayProvider<const T extends readonly Type<unknown>[]>(
  stores: T,
  outboxesOf: (...repositories: Instances<T>) => OutboxStore[],
): FactoryProvider<OutboxRelay> {
  return {
    provide: OutboxRelay,
    useFactory: (
      producer: Producer,
      topics: TopicMap,
      metrics: MessagingMetrics,
      logger: Logger,
      config: OutboxConfig,
      ...repositories: Instances<T>
    ) =>
      new OutboxRelay(
        new EventPublisher(producer, topics, metrics),
        outboxesOf(...repositories),
        { sweepIntervalMs: config.OUTBOX_SWEEP_INTERVAL_MS, graceMs: config.OUTBOX_GRACE_MS },
        logger.child({ component: 'outbox' }),
      ),
    inject: [PRODUCER, TOPICS, MessagingMetrics, LOGGER, SERVICE_CONFIG, ...stores],
  };
}

interface OutboxConfig {
  OUTBOX_SWEEP_INTERVAL_MS: number;
  OUTBOX_GRACE_MS: number;
}

/** The outcome counter of the module that declares it: each consumer group counts its own. */
export function outcomeCounterProvider(
  options: ConstructorParameters<typeof OutcomeCounter>[1],
): FactoryProvider<OutcomeCounter> {
  return {
    provide: OutcomeCounter,
    useFactory: (metrics: Registry) => new OutcomeCounter(metrics, options),
    inject: [METRICS],
  };
}
