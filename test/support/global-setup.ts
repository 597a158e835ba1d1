import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const stackScript = resolve(__dirname, '../../infra/local/stack.sh');

/**
 * Servers-in-the-loop tests need a real Kafka and a MongoDB. When the environment
 * names none, start the project's local stack (idempotent; reused if already up) and stop it
 * afterwards only if this run started it.
 */
export default function globalSetup(): void {
  if (process.env.KAFKA_BROKERS && process.env.MONGODB_URI) return;
  const wasRunning =
    execFileSync('bash', [stackScript, 'status'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => / running/.test(line)).length === 2;
  execFileSync('bash', [stackScript, 'up'], { stdio: ['ignore', 'inherit', 'inherit'] });
  for (const line of execFileSync('bash', [stackScript, 'env'], { encoding: 'utf8' }).split('\n')) {
    const match = /^export (\w+)=(.*)$/.exec(line);
    if (match?.[1] && match[2] !== undefined) process.env[match[1]] ??= match[2];
  }
  process.env.TEST_STACK_STARTED_BY_JEST = wasRunning ? '' : '1';
}
