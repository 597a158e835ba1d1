import { median, round } from './measure';
import type { Sample, Scenario } from './scenario';
import { TARGETS, type Target } from './targets';

export interface SideSummary {
  runs: Sample[];
  /** Items per second: median and range over the runs. */
  rate: { median: number; min: number; max: number };
  /** (max - min) / median of the rates, in per cent: how far one run can be trusted. */
  spreadPct: number;
  /** Per figure: median and worst (highest) over the runs. */
  figures: Record<string, { median: number; max: number }>;
}

export interface Verdict {
  what: string;
  value: number;
  target: string;
  met: boolean;
}

export interface ScenarioSummary {
  name: string;
  product: string;
  baseline: string;
  unit: string;
  items: number;
  productSide: SideSummary;
  baselineSide?: SideSummary;
  /** Median of the per-run ratios product rate / baseline rate, and their range. */
  ratio?: { median: number; min: number; max: number };
  verdicts: Verdict[];
  error?: string;
  /** Set when the figures were kept from an earlier run (npm run bench -- --merge). */
  mergedFrom?: string;
}

export function summarizeSide(runs: Sample[]): SideSummary {
  const rates = runs.map(rateOf);
  const mid = median(rates);
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.figures ?? {})))];
  return {
    runs,
    rate: {
      median: round(mid, 1),
      min: round(Math.min(...rates), 1),
      max: round(Math.max(...rates), 1),
    },
    spreadPct: mid > 0 ? round(((Math.max(...rates) - Math.min(...rates)) / mid) * 100, 1) : 0,
    figures: Object.fromEntries(
      names.map((name) => {
        const values = runs.flatMap((r) => r.figures?.[name] ?? []);
        return [name, { median: round(median(values), 1), max: round(Math.max(...values), 1) }];
      }),
    ),
  };
}

/**
 * Runs are paired: run i of the product and run i of the baseline shared the machine's state
 * of the moment, so the ratio is taken per pair and its median reported.
 */
export function pairedRatio(
  product: Sample[],
  baseline: Sample[],
): { median: number; min: number; max: number } | undefined {
  const ratios = product.flatMap((p, i) => {
    const b = baseline[i];
    return b ? [rateOf(p) / rateOf(b)] : [];
  });
  if (ratios.length === 0) return undefined;
  return {
    median: round(median(ratios), 3),
    min: round(Math.min(...ratios), 3),
    max: round(Math.max(...ratios), 3),
  };
}

export function summarize(
  scenario: Scenario,
  items: number,
  product: Sample[],
  baseline: Sample[],
): ScenarioSummary {
  const productSide = summarizeSide(product);
  const baselineSide = baseline.length > 0 ? summarizeSide(baseline) : undefined;
  const ratio = pairedRatio(product, baseline);
  const summary: ScenarioSummary = {
    name: scenario.name,
    product: scenario.product,
    baseline: scenario.baseline,
    unit: scenario.unit,
    items,
    productSide,
    ...(baselineSide ? { baselineSide } : {}),
    ...(ratio ? { ratio } : {}),
    verdicts: [],
  };
  summary.verdicts = judge(summary, TARGETS[scenario.name] ?? {});
  return summary;
}

/**
 * The end-to-end baseline is derived: the slowest raw stage's median rate. A ratio against a
 * median is all there is, so its range is the product's own.
 */
export function deriveEndToEnd(summaries: ScenarioSummary[]): void {
  const e2e = summaries.find((s) => s.name === 'e2e' && !s.error);
  if (!e2e) return;
  const stages = summaries.filter(
    (s) => ['fan-out', 'state', 'mail'].includes(s.name) && s.baselineSide,
  );
  if (stages.length < 3) return;
  const slowest = stages.reduce((a, b) =>
    (a.baselineSide?.rate.median ?? Infinity) <= (b.baselineSide?.rate.median ?? Infinity) ? a : b,
  );
  const base = slowest.baselineSide?.rate.median ?? 0;
  if (base <= 0) return;
  const { rate } = e2e.productSide;
  e2e.baseline = `slowest raw stage: ${slowest.name} (${slowest.baseline})`;
  e2e.ratio = {
    median: round(rate.median / base, 3),
    min: round(rate.min / base, 3),
    max: round(rate.max / base, 3),
  };
  e2e.verdicts = judge(e2e, TARGETS.e2e ?? {});
}

function judge(summary: ScenarioSummary, target: Target): Verdict[] {
  const verdicts: Verdict[] = [];
  if (target.ratio !== undefined && summary.ratio)
    verdicts.push({
      what: 'ratio',
      value: summary.ratio.median,
      target: `>= ${target.ratio}`,
      met: summary.ratio.median >= target.ratio,
    });
  for (const limit of target.limits ?? []) {
    const figure = summary.productSide.figures[limit.figure];
    if (figure)
      verdicts.push({
        what: limit.label,
        value: figure.max,
        target: `< ${limit.below}`,
        met: figure.max < limit.below,
      });
  }
  return verdicts;
}

function rateOf(sample: Sample): number {
  return sample.ms > 0 ? (sample.items * 1000) / sample.ms : 0;
}
