import { type DynamicModule, type FactoryProvider, Module, type Provider } from '@nestjs/common';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  createKafka,
  createProducer,
  ensureTopics,
  EventPublisher,
  type KafkaEnv,
  kafkaSecurityFrom,
  MessagingMetrics,
  pingBroker,
  topicMapFrom,
  type TopicMap,
} from '@app/messaging';
import { connectMongo, pingMongo } from '@app/persistence';
import { createMetricsRegistry, HealthServer, ObservabilityModule } from '@app/observability';
import { ClosingStack } from './closing-stack';
import {
  KAFKA,
  KAFKA_ADMIN,
  KAFKA_CLIENTS,
  LOGGER,
  METRICS,
  MONGO_CONNECTION,
  PRODUCER,
  SERVICE_CONFIG,
  SERVICE_NAME,
  TOPICS,
} from './tokens';

/** The settings every service has, whatever else its config schema holds. */
export type RuntimeConfig = KafkaEnv & { MONGODB_URI: string };

export interface RuntimeOptions {
  service: string;
  config: RuntimeConfig;
  logger: Logger;
  /** Where what is started is recorded for the shutdown; owned by startService. */
  closing: ClosingStack;
  /** The topics to create when missing, before the producer connects; none: no producer. */
  topics?: (topics: TopicMap) => string[];
}

interface KafkaClients {
  admin: Admin;
  producer?: Producer;
}

/**
 * The skeleton every service shares, as providers: config, logger, metrics, the broker and
 * database connections, topics and the health server. Each connection is recorded on the
 * closing stack the moment it opens, so a failing start closes what it opened.
 */
@Module({})
export class ServiceRuntimeModule {
  static forRoot(options: RuntimeOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: SERVICE_CONFIG, useValue: options.config },
      { provide: SERVICE_NAME, useValue: options.service },
      { provide: LOGGER, useValue: options.logger },
      { provide: ClosingStack, useValue: options.closing },
      // One registry per process: /metrics serves Node's figures and the layers' counters.
      { provide: METRICS, useFactory: () => createMetricsRegistry(options.service) },
      {
        provide: MessagingMetrics,
        useFactory: (m: Registry) => new MessagingMetrics(m),
        inject: [METRICS],
      },
      { provide: TOPICS, useFactory: () => topicMapFrom(options.config) },
      { provide: KAFKA, useFactory: () => kafkaOf(options) },
      mongoProvider(options.closing),
      kafkaClientsProvider(options),
      { provide: KAFKA_ADMIN, useFactory: (c: KafkaClients) => c.admin, inject: [KAFKA_CLIENTS] },
      healthProvider(),
    ];
    if (options.topics)
      providers.push(
        {
          provide: PRODUCER,
          useFactory: (c: KafkaClients) => c.producer,
          inject: [KAFKA_CLIENTS],
        },
        {
          provide: EventPublisher,
          useFactory: (producer: Producer, topics: TopicMap, metrics: MessagingMetrics) =>
            new EventPublisher(producer, topics, metrics),
          inject: [PRODUCER, TOPICS, MessagingMetrics],
        },
      );
    return {
      module: ServiceRuntimeModule,
      global: true,
      imports: [ObservabilityModule.forRoot(options.logger)],
      providers,
      exports: providers.map((p) => (typeof p === 'function' ? p : p.provide)),
    };
  }
}

function kafkaOf(options: RuntimeOptions): Kafka {
  const { config, service, logger } = options;
  return createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}.${service}`,
    logger,
    security: kafkaSecurityFrom(config),
  });
}

function mongoProvider(closing: ClosingStack): FactoryProvider<Connection> {
  return {
    provide: MONGO_CONNECTION,
    useFactory: async (config: RuntimeConfig) => {
      const connection = await connectMongo(config.MONGODB_URI);
      closing.push('mongodb', () => connection.close());
      return connection;
    },
    inject: [SERVICE_CONFIG],
  };
}

/** After the database (hence MONGO_CONNECTION injected): the shutdown closes them first. */
function kafkaClientsProvider(options: RuntimeOptions): FactoryProvider<KafkaClients> {
  const { closing, config } = options;
  return {
    provide: KAFKA_CLIENTS,
    useFactory: async (kafka: Kafka, topics: TopicMap, _mongo: Connection) => {
      let producer: Producer | undefined;
      if (options.topics) {
        await ensureTopics(kafka, options.topics(topics), {
          partitions: config.KAFKA_TOPIC_PARTITIONS,
          replicationFactor: config.KAFKA_TOPIC_REPLICATION_FACTOR,
          maxMessageBytes: config.KAFKA_TOPIC_MAX_MESSAGE_BYTES,
        });
        const connected = createProducer(kafka);
        await connected.connect();
        closing.push('producer', () => connected.disconnect());
        producer = connected;
      }
      const admin = kafka.admin();
      await admin.connect();
      closing.push('kafka admin', () => admin.disconnect());
      return { admin, producer };
    },
    inject: [KAFKA, TOPICS, MONGO_CONNECTION],
  };
}

function healthProvider(): FactoryProvider<HealthServer> {
  return {
    provide: HealthServer,
    useFactory: (admin: Admin, connection: Connection, logger: Logger, metrics: Registry) =>
      new HealthServer(
        { kafka: () => pingBroker(admin), mongodb: () => pingMongo(connection) },
        logger,
        metrics,
      ),
    inject: [KAFKA_ADMIN, MONGO_CONNECTION, LOGGER, METRICS],
  };
}
