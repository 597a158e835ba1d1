import { z } from 'zod';
import { DEFAULT_TOPICS, EVENT_TYPES, type EventType } from '@app/contracts';
import { commaList, nodeEnv, onOff, positiveInt, readableFile } from '@app/config';
import { kafkaSecurityProblems, SASL_MECHANISMS, SECURITY_KEYS } from './kafka-security';
import { parseRetryDelays } from './retry-policy';
import type { ConsumerSettings } from './consumer-settings';

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

const optionalText = z
  .string()
  .optional()
  .transform((raw) => (raw === undefined || raw.trim() === '' ? undefined : raw));
const optionalFile = z.preprocess(
  (raw) => (typeof raw === 'string' && raw.trim() === '' ? undefined : raw),
  readableFile().optional(),
);

/** How to reach the broker securely; the rules between the variables are in kafka-security. */
const securityFields = {
  // Only `production` changes what is accepted (SASL PLAIN needs TLS there).
  NODE_ENV: nodeEnv,
  KAFKA_SSL: onOff(false),
  KAFKA_SSL_CA_FILE: optionalFile,
  KAFKA_SSL_CERT_FILE: optionalFile,
  KAFKA_SSL_KEY_FILE: optionalFile,
  KAFKA_SSL_REJECT_UNAUTHORIZED: onOff(true),
  KAFKA_SASL_MECHANISM: z.preprocess(
    (raw) => (typeof raw === 'string' ? raw.trim().toLowerCase() || undefined : raw),
    z.enum(SASL_MECHANISMS, { error: `must be one of ${SASL_MECHANISMS.join(', ')}` }).optional(),
  ),
  KAFKA_SASL_USERNAME: optionalText,
  KAFKA_SASL_PASSWORD: optionalText,
  KAFKA_SASL_PASSWORD_FILE: optionalFile,
};

/**
 * The broker settings every process shares. Its cross-variable rules (a SASL mechanism needs
 * credentials, ...) make it a refined object: extend it with new keys only, never redeclare one
 * of its keys (zod refuses that), NODE_ENV included.
 */
export const kafkaEnvSchema = z
  .object({
    KAFKA_BROKERS: commaList('must list at least one broker as host:port, comma-separated'),
    KAFKA_CLIENT_ID: z.string().min(1).default('connect-provisioning'),
    KAFKA_TOPIC_PARTITIONS: positiveInt(6),
    KAFKA_TOPIC_REPLICATION_FACTOR: positiveInt(1),
    // Room for a 10 MB hostile message and its dead-letter copy (see TopicLayout).
    KAFKA_TOPIC_MAX_MESSAGE_BYTES: positiveInt(16 * 1024 * 1024),
    ...securityFields,
    ...topicOverrides,
  })
  .superRefine(
    (env, ctx) => {
      for (const { key, message } of kafkaSecurityProblems(env))
        ctx.addIssue({ code: 'custom', path: [key], message });
    },
    // Also when other variables are wrong, so one round names every problem; not when one of
    // these is itself malformed (its own message says enough).
    { when: (payload) => !payload.issues.some((i) => SECURITY_KEYS.has(String(i.path?.[0]))) },
  );

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
  CONSUMER_MAX_CHUNK_BYTES: positiveInt(131_072),
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
    maxChunkBytes: env.CONSUMER_MAX_CHUNK_BYTES,
    sessionTimeoutMs: env.CONSUMER_SESSION_TIMEOUT_MS,
    unavailableMaxWaitMs: env.CONSUMER_UNAVAILABLE_MAX_WAIT_MS,
    retry: { delaysMs: env.RETRY_DELAYS_MS },
  };
}
