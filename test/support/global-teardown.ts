import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function globalTeardown(): void {
  if (process.env.TEST_STACK_STARTED_BY_JEST !== '1') return;
  execFileSync('bash', [resolve(__dirname, '../../infra/local/stack.sh'), 'down'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
