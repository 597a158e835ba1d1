/**
 * `npm run bench`: every scenario of issue 8 after a warm-up, five paired runs each, the
 * product's figure beside the raw baseline measured in the same run, their ratio, and the
 * targets met or missed. Table on stdout, progress on stderr, bench/results/bench.{json,svg}.
 * See docs/performance.md.
 *
 *   npm run bench -- [--scale 1] [--runs 5] [--only consume,mail] [--timeout-s 3600]
 */
import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderChart } from './support/chart';
import { profiled } from './support/profiler';
import { markdownTable, printTable } from './support/table';
import { BENCH_STACK, resolveStackEnv } from './support/stack';
import type { Sample, Scenario, ScenarioContext } from './support/scenario';
import { deriveEndToEnd, summarize, type ScenarioSummary } from './support/summary';
import { SCENARIOS } from './scenarios';

const DEFAULT_RESULTS_DIR = join(__dirname, 'results');

const USAGE = `usage: npm run bench -- [options]
  --scale X       multiplies every scenario's size (default 1: the issue's sizes, about an
                  hour or more on the local stack; 0.1 runs in minutes)
  --runs N        timed runs per side (default 5)
  --only LIST     comma list of ${SCENARIOS.map((s) => s.name).join(', ')}
                  (a name picks its variants too: fairness runs fairness and fairness-rate-50)
  --timeout-s N   one window may take at most N seconds (default 3600)
  --no-warmup     skip the untimed warm-up pass
  --merge         keep the other scenarios of the last bench.json (re-run one, keep the rest)
  --out DIR       results directory (default bench/results)
  --report        run nothing: write bench.md and bench.svg again from bench.json
  --profile       write <out>/<scenario>/{product,baseline}-run<i>.cpuprofile of each timed
                  window, to compare the two sides (read with bench/support/cpuprofile-top.ts)`;

interface RunOptions {
  scale: number;
  runs: number;
  scenarios: Scenario[];
  timeoutMs: number;
  warmUp: boolean;
  merge: boolean;
  /** Where bench.json, bench.md, bench.svg and the scenarios' logs go. */
  out: string;
  /** A .cpuprofile of each timed window, both sides (not of the warm-up). */
  profile: boolean;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  // --report needs no servers.
  const stack =
    options.scenarios.length > 0 ? resolveStackEnv(process.env, BENCH_STACK) : undefined;
  mkdirSync(options.out, { recursive: true });
  const started = new Date();
  const kept = options.merge ? previousSummaries(options) : [];
  const summaries: ScenarioSummary[] = [];
  const all = () => inIssueOrder([...kept, ...summaries]);
  for (const scenario of options.scenarios) {
    if (!stack) break;
    const context: ScenarioContext = {
      stack,
      scale: options.scale,
      log: (line) => log(`${scenario.name}: ${line}`),
      resultsDir: join(options.out, scenario.name),
      timeoutMs: options.timeoutMs,
    };
    mkdirSync(context.resultsDir, { recursive: true });
    summaries.push(await runScenario(scenario, context, options));
    // Written after each scenario, so hours of figures survive a later failure.
    await writeResults(all(), options, started);
  }
  deriveEndToEnd(all());
  await writeResults(all(), options, started);
  printTable(all(), header(options, started, all()));
  if (summaries.some((s) => s.error)) process.exitCode = 1;
}

async function runScenario(
  scenario: Scenario,
  context: ScenarioContext,
  options: RunOptions,
): Promise<ScenarioSummary> {
  const product: Sample[] = [];
  const baseline: Sample[] = [];
  let items = 0;
  try {
    const runner = await scenario.open(context);
    items = runner.items;
    try {
      if (options.warmUp) {
        context.log('warm-up');
        await runner.warmUp();
      }
      for (let run = 1; run <= options.runs; run++) {
        // Alternate who goes first, so neither side always meets a cold or a tired machine.
        const sides = [
          { name: 'product', into: product, measure: () => runner.product(run) },
          ...(runner.baseline
            ? [{ name: 'baseline', into: baseline, measure: () => runner.baseline!(run) }]
            : []),
        ];
        if (run % 2 === 0) sides.reverse();
        for (const side of sides) {
          const sample = options.profile
            ? await profiled(join(context.resultsDir, `${side.name}-run${run}.cpuprofile`), () =>
                side.measure(),
              )
            : await side.measure();
          side.into.push(sample);
          context.log(`run ${run}/${options.runs} ${side.name.padEnd(8)} ${describe(sample)}`);
        }
      }
    } finally {
      await runner.close();
    }
    return summarize(scenario, items, product, baseline);
  } catch (error) {
    context.log(
      `FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return {
      ...summarize(scenario, items, product, baseline),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/** The last run's scenarios that this run does not repeat (--merge), marked with their date. */
function previousSummaries(options: RunOptions): ScenarioSummary[] {
  const file = join(options.out, 'bench.json');
  if (!existsSync(file)) return [];
  const previous = JSON.parse(readFileSync(file, 'utf8')) as {
    date: string;
    scenarios: ScenarioSummary[];
  };
  const rerun = new Set(options.scenarios.map((s) => s.name));
  return previous.scenarios
    .filter((s) => !rerun.has(s.name))
    .map((s) => ({ ...s, mergedFrom: s.mergedFrom ?? previous.date }));
}

function inIssueOrder(summaries: ScenarioSummary[]): ScenarioSummary[] {
  const order = SCENARIOS.map((s) => s.name);
  return [...summaries].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}

async function writeResults(
  summaries: ScenarioSummary[],
  options: RunOptions,
  started: Date,
): Promise<void> {
  const results = {
    date: started.toISOString(),
    finished: new Date().toISOString(),
    machine: machine(),
    options: { scale: options.scale, runs: options.runs, warmUp: options.warmUp },
    scenarios: summaries,
  };
  writeFileSync(join(options.out, 'bench.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(
    join(options.out, 'bench.md'),
    markdownTable(summaries, header(options, started, summaries)),
  );
  writeFileSync(
    join(options.out, 'bench.svg'),
    await renderChart(summaries, header(options, started, summaries)),
  );
}

function machine() {
  return {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}

function header(options: RunOptions, started: Date, summaries: ScenarioSummary[] = []): string {
  const m = machine();
  const earlier = [...new Set(summaries.flatMap((s) => s.mergedFrom ?? []))];
  const ranNow = summaries.length === 0 || summaries.some((s) => !s.mergedFrom);
  // Merged scenarios may have run at another scale: their sizes are in the table.
  const when =
    earlier.length > 0
      ? `runs of ${[...new Set([...earlier, ...(ranNow ? [started.toISOString()] : [])].map((d) => `${d.slice(0, 16)}Z`))].join(', ')}`
      : `${started.toISOString().slice(0, 16)}Z, scale ${options.scale}`;
  return `connect-provisioning bench ${when}, ${options.runs} runs, node ${m.node}, ${m.cpus} cpus`;
}

function describe(sample: Sample): string {
  const rate = sample.ms > 0 ? (sample.items * 1000) / sample.ms : 0;
  const figures = Object.entries(sample.figures ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${sample.items} in ${(sample.ms / 1000).toFixed(2)} s = ${rate.toFixed(1)}/s${figures ? ` (${figures})` : ''}`;
}

function parseOptions(argv: string[]): RunOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string', default: '1' },
      runs: { type: 'string', default: '5' },
      only: { type: 'string' },
      'timeout-s': { type: 'string', default: '3600' },
      'no-warmup': { type: 'boolean', default: false },
      merge: { type: 'boolean', default: false },
      out: { type: 'string', default: DEFAULT_RESULTS_DIR },
      report: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const scale = Number(values.scale);
  const runs = Number(values.runs);
  const timeoutS = Number(values['timeout-s']);
  if (!(scale > 0 && scale <= 10))
    fail(`--scale must be a number in (0, 10] (got ${values.scale})`);
  if (!Number.isInteger(runs) || runs < 1)
    fail(`--runs must be a positive integer (got ${values.runs})`);
  if (!(timeoutS > 0)) fail(`--timeout-s must be positive (got ${values['timeout-s']})`);
  const names = values.only?.split(',').map((n) => n.trim()) ?? SCENARIOS.map((s) => s.name);
  // A name picks its scenario and its variants: `fairness` runs fairness and fairness-rate-50.
  const picks = (s: Scenario) => names.some((n) => s.name === n || s.name.startsWith(`${n}-`));
  const unknown = names.filter(
    (n) => !SCENARIOS.some((s) => s.name === n || s.name.startsWith(`${n}-`)),
  );
  if (unknown.length > 0) fail(`unknown scenario(s): ${unknown.join(', ')}`);
  return {
    scale,
    runs,
    // The issue's order, whatever the order of --only. --report runs none and keeps them all.
    scenarios: values.report ? [] : SCENARIOS.filter(picks),
    timeoutMs: timeoutS * 1000,
    warmUp: !values['no-warmup'],
    merge: values.merge || values.report,
    out: resolve(values.out),
    profile: values.profile,
  };
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

// Progress goes to stderr, so stdout holds only the table.
function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    // Everything is closed by now; should a handle still hold the loop, say so rather than hang.
    setTimeout(() => {
      log('a handle kept the process alive after the last scenario; exiting anyway');
      process.exit(process.exitCode ?? 1);
    }, 10_000).unref();
  });
