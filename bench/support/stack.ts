import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface StackEnv {
  brokers: string[];
  mongoUri: string;
}

const STACK_SCRIPT = join(__dirname, '..', '..', 'infra', 'local', 'stack.sh');

/**
 * The servers to measure against: KAFKA_BROKERS and MONGODB_URI when both are set, otherwise
 * the local stack, started if needed (`stack.sh up` is idempotent and takes a lock).
 */
export function resolveStackEnv(env: NodeJS.ProcessEnv = process.env): StackEnv {
  let brokers = env.KAFKA_BROKERS;
  let mongoUri = env.MONGODB_URI;
  if (!brokers || !mongoUri) {
    // stack.sh logs to stderr; let it through so a first-time install is not silent.
    execFileSync('bash', [STACK_SCRIPT, 'up'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const exported = parseExports(
      execFileSync('bash', [STACK_SCRIPT, 'env'], { encoding: 'utf8' }),
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
