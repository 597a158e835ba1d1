import type { StackEnv } from './stack';

/**
 * One timed window of a scenario: `items` units of work (events, users, mails, rows) done in
 * `ms`. `figures` carries what a target names besides speed (peak RSS in MB, event-loop delay
 * p99 in ms, latency percentiles), keyed by a stable name, e.g. { peakRssMb: 412 }.
 */
export interface Sample {
  items: number;
  ms: number;
  figures?: Record<string, number>;
}

/** What `npm run bench` hands every scenario. */
export interface ScenarioContext {
  stack: StackEnv;
  /** Multiplies the scenario's default size (1 = the sizes of the issue). */
  scale: number;
  /** Progress lines go here (stderr), never to stdout, which carries the table. */
  log: (line: string) => void;
  /** Where a scenario may write logs or files of its own: bench/results/<scenario>/. */
  resultsDir: string;
  timeoutMs: number;
}

/**
 * A measured pair: the product's figure and, where the issue names one, the raw baseline doing
 * the same work with the bare client in the same run. `prepare` builds what both need (topics
 * filled, users seeded) outside every window, once per run, so each window starts equal.
 */
export interface ScenarioRunner {
  /** Size of one window, in the scenario's unit. */
  readonly items: number;
  /** Untimed: a small pass of product and baseline so JIT, pools and topics are warm. */
  warmUp(): Promise<void>;
  product(run: number): Promise<Sample>;
  /** Omitted for scenarios with no baseline (link) or with a derived one (end to end). */
  baseline?(run: number): Promise<Sample>;
  /** Always called, also after a failure: delete topics, groups, databases; stop processes. */
  close(): Promise<void>;
}

export interface Scenario {
  name: string;
  /** What the product does, in one line, for the table and the chart. */
  product: string;
  /** What the baseline does, in one line ('-' when there is none). */
  baseline: string;
  /** e.g. 'events', 'users', 'mails', 'rows'. */
  unit: string;
  open(context: ScenarioContext): Promise<ScenarioRunner>;
}
