import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ScenarioSummary } from './summary';
import { TARGETS } from './targets';

interface RatioRow {
  scenario: string;
  ratio: number;
  low: number;
  high: number;
  target: number;
  met: string;
}

interface RateRow {
  label: string;
  side: string;
  rate: number;
  low: number;
  high: number;
}

/**
 * Two panels as SVG: each scenario's ratio to its raw baseline (median, range of the paired
 * runs, the target as a tick), and the rates themselves (log scale: they span five decades).
 */
export async function renderChart(summaries: ScenarioSummary[], title: string): Promise<string> {
  const ratios: RatioRow[] = summaries.flatMap((s) =>
    s.ratio
      ? [
          {
            scenario: s.name,
            ratio: s.ratio.median,
            low: s.ratio.min,
            high: s.ratio.max,
            target: TARGETS[s.name]?.ratio ?? 0,
            met: s.verdicts.find((v) => v.what === 'ratio')?.met ? 'met' : 'missed',
          },
        ]
      : [],
  );
  const rates: RateRow[] = summaries.flatMap((s) => [
    rateRow(s.name, `product`, s.productSide.rate),
    ...(s.baselineSide ? [rateRow(s.name, 'raw baseline', s.baselineSide.rate)] : []),
  ]);
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    vconcat: [ratioPanel(ratios), ratePanel(rates)],
    // Pass/fail colours above, product/baseline colours below: two legends, not one.
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
    config: { font: 'sans-serif', background: 'white' },
  };
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function rateRow(
  scenario: string,
  side: string,
  rate: { median: number; min: number; max: number },
): RateRow {
  return { label: `${scenario}: ${side}`, side, rate: rate.median, low: rate.min, high: rate.max };
}

function ratioPanel(rows: RatioRow[]): TopLevelSpec['vconcat' & keyof TopLevelSpec] {
  const x = (field: string) => ({
    field,
    type: 'quantitative',
    scale: { domainMin: 0 },
    title: 'ratio',
  });
  return {
    title: 'product rate / raw baseline rate (bar: median, line: range of the runs, tick: target)',
    data: { values: rows },
    width: 520,
    height: { step: 26 },
    encoding: { y: { field: 'scenario', type: 'nominal', title: null, sort: null } },
    layer: [
      {
        mark: 'bar',
        encoding: {
          x: x('ratio'),
          color: {
            field: 'met',
            type: 'nominal',
            title: 'target',
            scale: { domain: ['met', 'missed'], range: ['#2e7d32', '#c62828'] },
          },
        },
      },
      {
        mark: { type: 'rule', color: 'black' },
        encoding: { x: x('low'), x2: { field: 'high' } },
      },
      {
        mark: { type: 'tick', color: 'black', thickness: 3 },
        encoding: { x: x('target') },
      },
      {
        mark: { type: 'text', align: 'left', dx: 6 },
        encoding: { x: x('high'), text: { field: 'ratio', type: 'quantitative', format: '.2f' } },
      },
    ],
  } as never;
}

function ratePanel(rows: RateRow[]): TopLevelSpec['vconcat' & keyof TopLevelSpec] {
  const x = (field: string) => ({
    field,
    type: 'quantitative',
    scale: { type: 'log' },
    title: 'per second',
  });
  return {
    title: 'items per second (point: median, line: range of the runs), log scale',
    data: { values: rows },
    width: 520,
    height: { step: 14 },
    encoding: {
      y: { field: 'label', type: 'nominal', title: null, sort: null },
      color: { field: 'side', type: 'nominal', title: null },
    },
    layer: [
      { mark: { type: 'rule' }, encoding: { x: x('low'), x2: { field: 'high' } } },
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: { x: x('rate') },
      },
    ],
  } as never;
}
