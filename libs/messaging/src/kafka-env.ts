import { z } from 'zod';
import { DEFAULT_TOPICS, EVENT_TYPES, type EventType } from '@app/contracts';
import { commaList, positiveInt } from '@app/config';

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
