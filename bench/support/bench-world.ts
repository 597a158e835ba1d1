import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_TOPICS, EVENT_TYPES } from '@app/contracts';
import { topicEnvName } from '@app/messaging';
import { withDatabase, type StackEnv } from './stack';

/**
 * Names of one benchmark world: every run gets its own topics, consumer groups and database,
 * derived from one id, so a run never reads another's data and clean-up knows what to remove.
 */

/** Every event type's topic as `bench.<id>.<default name>`, keyed by the env the apps read. */
export function benchTopicEnv(id: string): Record<string, string> {
  return Object.fromEntries(
    Object.values(EVENT_TYPES).map((t) => [topicEnvName(t), `bench.${id}.${DEFAULT_TOPICS[t]}`]),
  );
}

/** The worker's three consumer groups, as env. */
export function benchGroupEnv(id: string): Record<string, string> {
  return {
    CONSUMER_GROUP: `bench.${id}`,
    BULK_DECISIONS_CONSUMER_GROUP: `bench.${id}.bulk`,
    MAIL_CONSUMER_GROUP: `bench.${id}.mail`,
    MAIL_INTERACTIVE_CONSUMER_GROUP: `bench.${id}.mail-interactive`,
    LINKER_CONSUMER_GROUP: `bench.${id}.linker`,
  };
}

/** MongoDB database names allow no dashes. */
export function benchDatabaseName(id: string): string {
  return `bench_${id.replace(/-/g, '_')}`;
}

/**
 * What every app of a bench world reads: its topics, the broker, its database, the worker's
 * groups, and settings that keep the apps out of the measurement's way (no mail rate limit,
 * a free health port). Scenarios add what is theirs (SMTP_URL, MAIL_STEP, PAGE_*).
 */
export function benchAppEnv(id: string, stack: StackEnv): Record<string, string> {
  return {
    ...benchTopicEnv(id),
    KAFKA_BROKERS: stack.brokers.join(','),
    MONGODB_URI: withDatabase(stack.mongoUri, benchDatabaseName(id)),
    ...benchGroupEnv(id),
    SMTP_RATE_PER_SECOND: '100000',
    PUBLIC_BASE_URL: 'http://127.0.0.1:8080',
    LOGIN_URL: 'https://connect.visma.com/',
    HEALTH_PORT: '0',
    LOG_LEVEL: 'info',
  };
}

const built = new Set<string>();

/**
 * `nest build <app>`, once per bench process: scenarios that measure an app as a process run
 * the bundle `npm start` runs, so nothing is compiled inside the measured process.
 */
export function buildApp(app: string, log: (line: string) => void): void {
  if (built.has(app)) return;
  log(`building ${app}`);
  execFileSync('npx', ['nest', 'build', app], {
    cwd: join(__dirname, '..', '..'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  built.add(app);
}
