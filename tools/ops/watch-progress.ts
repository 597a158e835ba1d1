import { positiveOption, type OpsContext, type ParsedCommand } from './ops-command';

/** The options of every command that can follow work in progress. */
export const WATCH_OPTIONS = {
  watch: { type: 'boolean' },
  'interval-ms': { type: 'string' },
  'timeout-ms': { type: 'string' },
} as const;

export const WATCH_USAGE = '[--watch|--no-watch] [--interval-ms 1000] [--timeout-ms 600000]';

export interface Followed<T> {
  value: T | undefined;
  /** Whether it was followed (and so whether `finished` had to be reached). */
  watched: boolean;
  finished: boolean;
}

/**
 * Reads once and, while the work runs, follows it when asked (--watch) or when stdout is a
 * terminal (unless --no-watch).
 */
export async function readOrFollow<T>(
  parsed: ParsedCommand,
  view: Pick<Watch<T>, 'read' | 'line' | 'finished'>,
  context: OpsContext,
): Promise<Followed<T>> {
  const value = await view.read();
  const watched = parsed.flag('watch') ?? context.output.interactive;
  if (!watched || view.finished(value)) return { value, watched, finished: view.finished(value) };
  const intervalMs = positiveOption('interval-ms', parsed.text('interval-ms'), 1000);
  const timeoutMs = positiveOption('timeout-ms', parsed.text('timeout-ms'), 600_000);
  return { ...(await watchProgress({ ...view, intervalMs, timeoutMs }, context)), watched };
}

export interface Watch<T> {
  read(): Promise<T | undefined>;
  /** One line: the bar and the counts. */
  line(value: T | undefined): string;
  finished(value: T | undefined): boolean;
  intervalMs: number;
  timeoutMs: number;
}

/**
 * Re-reads until `finished`, Ctrl-C or the timeout, showing one line of progress: redrawn in
 * place on a terminal, printed when it changes otherwise (logs and pipes stay readable).
 * Returns the last value read and whether it finished.
 */
export async function watchProgress<T>(
  watch: Watch<T>,
  context: OpsContext,
): Promise<{ value: T | undefined; finished: boolean }> {
  const { output, signal } = context;
  const deadline = Date.now() + watch.timeoutMs;
  let last = '';
  let value = await watch.read();
  for (;;) {
    const line = watch.line(value);
    if (output.interactive) output.err(`\r\x1b[2K${line}`);
    else if (line !== last) output.err(`${line}\n`);
    last = line;
    if (watch.finished(value) || signal.aborted || Date.now() >= deadline) break;
    await sleep(watch.intervalMs, signal);
    value = await watch.read();
  }
  if (output.interactive) output.err('\n');
  return { value, finished: watch.finished(value) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
