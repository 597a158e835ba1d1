import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { waitFor } from './wait-for';

const root = resolve(__dirname, '../..');

export interface OpsResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** connect-ops as an operator runs it: a process, its output collected as it comes. */
export class OpsProcess {
  stdout = '';
  stderr = '';
  readonly done: Promise<OpsResult>;
  private readonly child: ChildProcess;

  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', 'tools/connect-ops.ts', ...args],
      { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.done = new Promise((resolveDone, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code) =>
        resolveDone({ code, stdout: this.stdout, stderr: this.stderr }),
      );
    });
  }

  /** Resolves once stderr (progress, notices) matches. */
  async stderrMatching(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    await waitFor(`connect-ops stderr to match ${pattern}`, () => pattern.test(this.stderr), {
      timeoutMs,
    });
  }

  interrupt(): void {
    this.child.kill('SIGINT');
  }
}

/** Runs one command to its end. */
export function runOps(args: string[], env: Record<string, string>): Promise<OpsResult> {
  return new OpsProcess(args, env).done;
}
