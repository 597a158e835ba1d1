import { performance } from 'node:perf_hooks';

export interface Measurement {
  events: number;
  ms: number;
  eventsPerSec: number;
  /** First events handled to the last (see EventCounter.steadyState). */
  steady: { events: number; ms: number };
  groupId: string;
  topic: string;
}

/** Resolves once `expected` events were counted; the consumers call `add` from their callbacks. */
export class EventCounter {
  seen = 0;
  /** When the first events were counted, and how many: the start of the steady-state window. */
  first?: { at: number; events: number };
  last = 0;
  readonly done: Promise<void>;
  private resolve!: () => void;

  constructor(readonly expected: number) {
    this.done = new Promise<void>((resolve) => (this.resolve = resolve));
  }

  add(n: number): void {
    const now = performance.now();
    this.first ??= { at: now, events: n };
    this.seen += n;
    this.last = now;
    if (this.seen >= this.expected) this.resolve();
  }

  /**
   * From the first events handled to the last: the same window for every consumer, whatever
   * its set-up (connect, subscribe, group join) costs before the first fetch.
   */
  steadyState(): { events: number; ms: number } {
    if (!this.first) return { events: 0, ms: 0 };
    return { events: this.seen - this.first.events, ms: this.last - this.first.at };
  }
}

/**
 * Times from `start()` until the counter is full. A consumer that stalls fails the measurement
 * instead of hanging the bench.
 */
export async function timeUntilCounted(
  counter: EventCounter,
  start: () => Promise<unknown>,
  timeoutMs: number,
  what: string,
): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `${what}: saw ${counter.seen} of ${counter.expected} events in ${timeoutMs / 1000}s`,
          ),
        ),
      timeoutMs,
    );
  });
  const started = performance.now();
  try {
    await Promise.race([start().then(() => counter.done), timeout]);
    return performance.now() - started;
  } finally {
    clearTimeout(timer);
  }
}

export function measurement(
  counter: EventCounter,
  ms: number,
  groupId: string,
  topic: string,
): Measurement {
  return {
    events: counter.seen,
    ms: round(ms, 1),
    eventsPerSec: Math.round((counter.seen * 1000) / ms),
    steady: counter.steadyState(),
    groupId,
    topic,
  };
}

/** Events per second between the first and the last events handled. */
export function steadyRate(m: Measurement): number {
  return m.steady.ms > 0 ? (m.steady.events * 1000) / m.steady.ms : 0;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
