import {
  Kafka,
  logLevel,
  Partitioners,
  type KafkaConfig,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaSecurity } from './kafka-security';
// Loaded for its fix of kafkajs's request queue, before any client is made.
import './kafkajs-request-queue';

/**
 * A kafkajs client whose own log lines go to the process's pino logger. Without `security` it
 * talks plaintext, as to the local stack; kafkaSecurityFrom(config) gives TLS and SASL.
 */
export function createKafka(options: {
  brokers: string[];
  clientId: string;
  logger: Logger;
  security?: KafkaSecurity;
}): Kafka {
  const log = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...kafkaConnectionOptions(options.security),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        if (level <= logLevel.ERROR) log.error(rest, message);
        else if (level === logLevel.WARN) log.warn(rest, message);
        else log.debug(rest, message);
      },
  });
}

/** kafkajs's `ssl` and `sasl` options, only those that are set (kafkajs reads `ssl: undefined` as off). */
export function kafkaConnectionOptions(
  security: KafkaSecurity = {},
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  return {
    ...(security.ssl && { ssl: security.ssl }),
    ...(security.sasl && { sasl: security.sasl }),
  };
}

/**
 * The product's producer: one request in flight, so a retried send does not reorder; murmur2
 * partitioning as the Java client, so a key lands on the same partition whoever produces it.
 *
 * Not kafkajs's idempotent mode: kafkajs 2.2.4 rolls a partition's sequence number back when a
 * produce request fails, even when the broker stored the batch and only the answer was lost (a
 * broker stopping in mid-request). The next batch of the same size is then taken for a duplicate
 * and dropped while the send reports success, and one of another size is refused
 * (OUT_OF_ORDER_SEQUENCE_NUMBER) for the life of the producer (test/e2e/producer-after-lost-answer).
 * Without it, a retried send may write a message twice; every event has a deterministic id and
 * consumers skip ids they have applied.
 */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: false,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}
