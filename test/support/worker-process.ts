import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { activeLogCapture } from './log-capture';
import { waitFor } from './wait-for';

const root = resolve(__dirname, '../..');

export interface WorkerProcess {
  process: ChildProcess;
  /** Every JSON log line the worker wrote. */
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * The Node flags the apps run with in production (Dockerfile's NODE_OPTIONS, npm start): Node
 * 24's default young generation grew the worker's RSS by 180 MB for no gain in throughput.
 */
export const APP_NODE_OPTIONS = '--max-semi-space-size=8';

/**
 * The import worker's old generation is capped: its live heap during a 100,000-row import was
 * 78-90 MB after each full collection, and V8 let garbage grow the heap to 335 MB between
 * them; capped at 256 MB it collects sooner at the same speed (docs/performance.md). The live
 * heap grows about 35 MB per 100,000 rows, so 256 MB holds the default IMPORT_MAX_ROWS (200,000)
 * twice over. Set in docker-compose.yml and infra/local/run-pipeline.sh too (runtime-pins).
 */
export const IMPORT_WORKER_NODE_OPTIONS = `${APP_NODE_OPTIONS} --max-old-space-size=256`;

/** The Node options an app runs with in production. */
export function appNodeOptions(app: string): string {
  return app === 'import-worker' ? IMPORT_WORKER_NODE_OPTIONS : APP_NODE_OPTIONS;
}

/**
 * Runs an app as its own process (as in production), from source through swc, and resolves once
 * it logs that it started. Fault tests kill it with real signals. `built` runs what `nest build`
 * left in dist/ instead, as `npm start` does: benchmarks want no compiling in the process.
 */
export async function startWorkerProcess(
  app: string,
  env: Record<string, string>,
  // Joining groups waits for the members already there to finish their batches: under load
  // (the chaos scenarios) that can take longer than a minute.
  startTimeoutMs = 60_000,
  from: 'source' | 'built' = 'source',
): Promise<WorkerProcess> {
  const args =
    from === 'built'
      ? [`dist/apps/${app}/main.js`]
      : ['-r', '@swc-node/register', `apps/${app}/src/main.ts`];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      NODE_OPTIONS: [process.env.NODE_OPTIONS, appNodeOptions(app)].filter(Boolean).join(' '),
      ...env,
      LOG_LEVEL: env.LOG_LEVEL === 'warn' ? 'info' : (env.LOG_LEVEL ?? 'info'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  // Shown under a failed test, beside the in-process lines (quiet-environment.ts).
  const capture = activeLogCapture();
  const source = `[${app} ${child.pid}]`;
  let stderr = '';
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      capture?.add(source, line);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    capture?.add(`${source} stderr:`, chunk.toString());
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  try {
    await waitFor(
      `${app} to start`,
      () => {
        if (gone) throw new Error(`${app} exited during start-up: ${stderr.slice(-2000)}`);
        return logs.some((l) => typeof l.msg === 'string' && /(worker|page) started$/.test(l.msg));
      },
      { timeoutMs: startTimeoutMs },
    );
  } catch (error) {
    // A process that did not start in time must not outlive the run that gave up on it.
    child.kill('SIGKILL');
    throw error;
  }
  return { process: child, logs, exited, kill: (signal) => child.kill(signal) };
}
