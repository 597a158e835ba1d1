import { z } from 'zod';
import { DEFAULT_TOPICS, EVENT_TYPES, type EventType } from '@app/contracts';
import { commaList, positiveInt } from '@app/config';
import { parseRetryDelays } from './retry-policy';
import type { ConsumerSettings } from './kafka-event.server';

export type TopicMap = Readonly<Record<EventType, string>>;

/** TOPIC_VERIFICATION_REQUESTED for VerificationRequested, and so on. */
export function topicEnvName(type: EventType): string {
  return `TOPIC_${type.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

const topicOverrides = Object.fromEntries(
  Object.values(EVENT_TYPES).map((type) => [
    topicEnvName(type),
    z
      .string()
      .regex(/^[a-zA-Z0-9._-]{1,200}$/, 'must be a Kafka topic name (letters, digits, . _ -)')
      .optional(),
  ]),
);

export const kafkaEnvSchema = z.object({
  KAFKA_BROKERS: commaList('must list at least one broker as host:port, comma-separated'),
  KAFKA_CLIENT_ID: z.string().min(1).default('connect-provisioning'),
  KAFKA_TOPIC_PARTITIONS: positiveInt(6),
  KAFKA_TOPIC_REPLICATION_FACTOR: positiveInt(1),
  // Room for a 10 MB hostile message and its dead-letter copy (see TopicLayout).
  KAFKA_TOPIC_MAX_MESSAGE_BYTES: positiveInt(16 * 1024 * 1024),
  ...topicOverrides,
});

export type KafkaEnv = z.output<typeof kafkaEnvSchema>;

/** The topic of every event type: the contract's default unless the environment overrides it. */
export function topicMapFrom(env: Readonly<Record<string, unknown>>): TopicMap {
  const entries = Object.values(EVENT_TYPES).map((type) => {
    const override = env[topicEnvName(type)];
    return [type, typeof override === 'string' ? override : DEFAULT_TOPICS[type]] as const;
  });
  return Object.fromEntries(entries) as Record<EventType, string>;
}

const retryDelays = z
  .string()
  .default('1000,10000,60000')
  .transform((raw, ctx) => {
    const delays = parseRetryDelays(raw);
    if (!delays) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be comma-separated delays in milliseconds, e.g. 1000,10000,60000',
      });
      return z.NEVER;
    }
    return delays;
  });

/** How a process consumes: shared by every worker, each with its own default group. */
export const consumerEnvSchema = z.object({
  CONSUMER_GROUP: z.string().min(1).optional(),
  CONSUMER_CONCURRENCY: positiveInt(3),
  CONSUMER_MAX_BATCH: positiveInt(500),
  CONSUMER_SESSION_TIMEOUT_MS: positiveInt(30_000),
  CONSUMER_UNAVAILABLE_MAX_WAIT_MS: positiveInt(300_000),
  RETRY_DELAYS_MS: retryDelays,
  OUTBOX_SWEEP_INTERVAL_MS: positiveInt(5_000),
  OUTBOX_GRACE_MS: positiveInt(10_000),
  PROCESSED_EVENTS_RETENTION_DAYS: positiveInt(14),
});

export type ConsumerEnv = z.output<typeof consumerEnvSchema>;

export function consumerSettingsFrom(env: ConsumerEnv, defaultGroup: string): ConsumerSettings {
  return {
    groupId: env.CONSUMER_GROUP ?? defaultGroup,
    concurrency: env.CONSUMER_CONCURRENCY,
    maxBatch: env.CONSUMER_MAX_BATCH,
    sessionTimeoutMs: env.CONSUMER_SESSION_TIMEOUT_MS,
    unavailableMaxWaitMs: env.CONSUMER_UNAVAILABLE_MAX_WAIT_MS,
    retry: { delaysMs: env.RETRY_DELAYS_MS },
  };
}
