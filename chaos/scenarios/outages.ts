import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { withDatabase } from '../../bench/support/stack';
import { freePort } from '../../test/support/page-client';
import { waitFor } from '../../test/support/wait-for';
import { check, sleep, type Scenario, type ScenarioResult, type Size } from '../scenario';
import { World } from '../world';

const STACK = join(__dirname, '..', '..', 'infra', 'local', 'stack.sh');
// While the database is down no answer can be recorded and no further mail leaves: at most
// the mails handed to SMTP at that moment, one per connection (SMTP_MAX_CONNECTIONS, 5),
// are sent again per outage.
const IN_FLIGHT_LIMIT = 5;

/** Stops or starts the broker of the local stack this run uses (STACK_DIR and ports inherited). */
function broker(command: 'stop' | 'start'): void {
  execFileSync('bash', [STACK, command, 'kafka'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * A database server of the scenario's own, on the H2 file backend: the test stack keeps its
 * data in memory, which a restart would lose. This one is stopped with SIGTERM and started
 * again on the same file, as an operator's restart would be.
 */
class OwnDatabase {
  private constructor(private readonly env: NodeJS.ProcessEnv) {}

  static async start(): Promise<OwnDatabase> {
    const dir = join(__dirname, '..', '..', '.stack', `chaos-outage-${process.pid}`);
    const port = await freePort();
    const db = new OwnDatabase({
      ...process.env,
      STACK_DIR: dir,
      STACK_MONGO_PORT: String(port),
      STACK_MONGO_BACKEND: 'h2',
    });
    db.run('start');
    return db;
  }

  get uri(): string {
    return withDatabase(`mongodb://127.0.0.1:${this.env.STACK_MONGO_PORT}`, 'chaos_outage');
  }

  run(command: 'stop' | 'start'): void {
    execFileSync('bash', [STACK, command, 'mongo'], {
      env: this.env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }

  remove(): void {
    this.run('stop');
    rmSync(this.env.STACK_DIR!, { recursive: true, force: true });
  }
}

/**
 * Scenario 4: the broker, then the database, stopped for a while during a bulk request and
 * started again with their data. The worker waits and resumes by itself; every user is mailed,
 * with at most the in-flight mails repeated, and the request completes once.
 */
export const outages: Scenario = {
  name: 'broker-and-database-outage',
  quick: true,
  async run(size: Size, worlds: World[]): Promise<ScenarioResult> {
    if (process.env.CHAOS_OWN_SERVERS === '1')
      return {
        injected: 'nothing: the servers are not the local stack',
        counted: '-',
        violations: [],
        deadLetters: [],
      };
    const users = size === 'full' ? 20_000 : 2_000;
    const downMs = size === 'full' ? 20_000 : 10_000;
    const database = await OwnDatabase.start();
    const world = await World.create('outage', { MONGODB_URI: database.uri });
    world.onClosed(() => database.remove());
    worlds.push(world);
    await world.start('verification-worker');
    await world.watch('VerificationBatchCompleted');
    await world.request('outage', users);
    const injected: string[] = [];
    const servers = {
      kafka: (command: 'stop' | 'start') => broker(command),
      database: (command: 'stop' | 'start') => database.run(command),
    };
    for (const [server, share] of [
      ['kafka', 0.2],
      ['database', 0.6],
    ] as const) {
      await waitFor('mails to flow', () => world.sink.mails.length >= users * share || undefined, {
        timeoutMs: 600_000,
      });
      const at = world.sink.mails.length;
      servers[server]('stop');
      await sleep(downMs);
      servers[server]('start');
      injected.push(`${server} down ${downMs / 1000} s at ${at} mails`);
    }
    await waitFor('the completion', () => world.completionsOf('outage')[0], {
      timeoutMs: size === 'full' ? 1_800_000 : 600_000,
    });
    await sleep(3000);
    const { total, recipients } = world.mailCounts();
    const completions = world.completionsOf('outage');
    const duplicates = total - recipients.size;
    const bound = 2 * IN_FLIGHT_LIMIT;
    return {
      injected: `${injected.join(', ')}; ${users} users`,
      counted: `${recipients.size}/${users} users mailed, ${duplicates} duplicates (bound ${bound}), ${completions.length} completion(s), sent ${String(completions[0]?.sent)}`,
      violations: [
        ...check(recipients.size === users, `${users - recipients.size} users got no mail`),
        ...check(duplicates <= bound, `${duplicates} duplicates exceed ${bound}`),
        ...check(
          completions.length === 1 && completions[0]?.sent === users,
          `completions: ${JSON.stringify(completions)}`,
        ),
      ],
      // An unreachable broker or database is "unavailable": the chunk waits in place (up to
      // CONSUMER_UNAVAILABLE_MAX_WAIT_MS, 5 minutes) instead of going through the retry topics,
      // so an outage far shorter than that sets nothing aside (docs/messaging.md).
      deadLetters: [],
    };
  },
};
