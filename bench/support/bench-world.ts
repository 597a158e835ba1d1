import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_TOPICS, EVENT_TYPES } from '@app/contracts';
import { topicEnvName } from '@app/messaging';

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
    MAIL_CONSUMER_GROUP: `bench.${id}.mail`,
    LINKER_CONSUMER_GROUP: `bench.${id}.linker`,
  };
}

/** MongoDB database names allow no dashes. */
export function benchDatabaseName(id: string): string {
  return `bench_${id.replace(/-/g, '_')}`;
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
