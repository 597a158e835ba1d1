import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface StackEnv {
  brokers: string[];
  mongoUri: string;
}

const STACK_SCRIPT = join(__dirname, '..', '..', 'infra', 'local', 'stack.sh');

/**
 * The bench's own local stack: its own directory and ports, so a run never shares a server
 * with `npm start` or the tests, and mongo-java-server's memory backend, because the file
 * backend writes every change through H2 and would measure H2 (5-10 times slower), not the
 * product. The heap holds 100,000 users' states, parts and outboxes at scale 1.
 */
export const BENCH_STACK: Readonly<Record<string, string>> = {
  STACK_DIR: join(__dirname, '..', '..', '.stack', 'bench'),
  STACK_KAFKA_PORT: '29092',
  STACK_KAFKA_CONTROLLER_PORT: '29093',
  STACK_MONGO_PORT: '27317',
  STACK_MONGO_BACKEND: 'memory',
  STACK_MONGO_HEAP: '3g',
};

/**
 * The servers to measure against: KAFKA_BROKERS and MONGODB_URI when both are set, otherwise
 * a local stack started if needed (`stack.sh up` is idempotent and takes a lock). `stackEnv`
 * chooses which local stack; STACK_* variables already set in the environment win over it.
 */
export function resolveStackEnv(
  env: NodeJS.ProcessEnv = process.env,
  stackEnv: Readonly<Record<string, string>> = {},
): StackEnv {
  let brokers = env.KAFKA_BROKERS;
  let mongoUri = env.MONGODB_URI;
  if (!brokers || !mongoUri) {
    const scriptEnv = { ...stackEnv, ...env };
    // stack.sh logs to stderr; let it through so a first-time install is not silent.
    execFileSync('bash', [STACK_SCRIPT, 'up'], {
      env: scriptEnv,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exported = parseExports(
      execFileSync('bash', [STACK_SCRIPT, 'env'], { env: scriptEnv, encoding: 'utf8' }),
    );
    brokers ||= exported.KAFKA_BROKERS;
    mongoUri ||= exported.MONGODB_URI;
  }
  if (!brokers || !mongoUri)
    throw new Error('no KAFKA_BROKERS / MONGODB_URI, and stack.sh env printed none');
  return {
    brokers: brokers
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    mongoUri,
  };
}

function parseExports(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^export\s+([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1]) out[match[1]] = (match[2] ?? '').replace(/^['"]|['"]$/g, '');
  }
  return out;
}

/** The same server, another database: the bench never touches the app's own data. */
export function withDatabase(uri: string, database: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!match) throw new Error('MONGODB_URI is not a mongodb:// URI');
  return `${match[1]}/${database}${match[3] ?? ''}`;
}
