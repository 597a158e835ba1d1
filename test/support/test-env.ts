import { randomBytes } from 'node:crypto';
import { DEFAULT_TOPICS, EVENT_TYPES } from '@app/contracts';
import { topicEnvName } from '@app/messaging';

export function requireEnv(name: 'KAFKA_BROKERS' | 'MONGODB_URI'): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run the tests with npm test (it starts the local stack)`);
  return value;
}

/**
 * An isolated world for one test file: its own topics, consumer group and database on the
 * shared servers, so test files never see each other's messages or documents.
 */
export function isolatedEnv(label: string): Record<string, string> {
  const id = `${label}-${randomBytes(4).toString('hex')}`;
  const mongo = new URL(requireEnv('MONGODB_URI'));
  mongo.pathname = `/e2e_${id.replace(/-/g, '_')}`;
  const topics = Object.fromEntries(
    Object.values(EVENT_TYPES).map((type) => [
      topicEnvName(type),
      `e2e.${id}.${DEFAULT_TOPICS[type]}`,
    ]),
  );
  return {
    KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
    MONGODB_URI: mongo.toString(),
    CONSUMER_GROUP: `e2e.${id}`,
    KAFKA_TOPIC_PARTITIONS: '3',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    HEALTH_PORT: '0',
    PUBLIC_BASE_URL: 'http://127.0.0.1:8080',
    LOGIN_URL: 'https://connect.visma.com/login',
    PAGE_CSRF_SECRET: randomBytes(32).toString('hex'),
    BULK_DECISIONS_CONSUMER_GROUP: `e2e.${id}.bulk`,
    MAIL_CONSUMER_GROUP: `e2e.${id}.mail`,
    MAIL_INTERACTIVE_CONSUMER_GROUP: `e2e.${id}.mail-interactive`,
    LINKER_CONSUMER_GROUP: `e2e.${id}.linker`,
    IMPORT_CONSUMER_GROUP: `e2e.${id}.import`,
    MAIL_OUTBOX_DIR: `/tmp/connect-provisioning-e2e/${id}/mail`,
    // The tests' upload folder (UploadFolder beside MAIL_OUTBOX_DIR) holds every tenant's files.
    IMPORT_FILE_ROOTS: `/tmp/connect-provisioning-e2e/${id}/uploads`,
    IMPORT_FILE_LAYOUT: 'flat',
    // The loopback sink takes whatever it gets; production keeps the default limit.
    SMTP_RATE_PER_SECOND: '1000',
    CONSUMER_SESSION_TIMEOUT_MS: '10000',
    RETRY_DELAYS_MS: '200,400',
    OUTBOX_SWEEP_INTERVAL_MS: '500',
    // Longer than a write and its flush take under load; shorter than a test.
    OUTBOX_GRACE_MS: '5000',
    ...topics,
  };
}
