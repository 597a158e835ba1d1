import type { ScenarioSummary } from './summary';

/** The figures a person reads first: one line per scenario, verdicts spelled out. */
export function printTable(summaries: ScenarioSummary[], header: string): void {
  const n = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 1 });
  const rows = [
    [
      'scenario',
      'items',
      'product /s (min-max)',
      'baseline /s (min-max)',
      'ratio (min-max)',
      'targets',
    ],
    ...summaries.map((s) => [
      s.name,
      n(s.items),
      `${n(s.productSide.rate.median)} (${n(s.productSide.rate.min)}-${n(s.productSide.rate.max)})`,
      s.baselineSide
        ? `${n(s.baselineSide.rate.median)} (${n(s.baselineSide.rate.min)}-${n(s.baselineSide.rate.max)})`
        : '-',
      s.ratio
        ? `${s.ratio.median.toFixed(2)} (${s.ratio.min.toFixed(2)}-${s.ratio.max.toFixed(2)})`
        : '-',
      s.error
        ? `FAILED: ${s.error}`
        : s.verdicts
            .map(
              (v) =>
                `${v.what} ${formatVerdict(v.what, v.value)} ${v.target} ${v.met ? 'met' : 'MISSED'}`,
            )
            .join('; ') || '-',
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  console.log(`\n${header}`);
  for (const row of rows)
    console.log(
      row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    );
}

/** The same table as Markdown, for docs/performance.md: bench/results/bench.md. */
export function markdownTable(summaries: ScenarioSummary[], header: string): string {
  const n = (x: number) =>
    x.toLocaleString('en-US', { maximumFractionDigits: Math.abs(x) >= 100 ? 0 : 1 });
  const range = (r: { median: number; min: number; max: number }, digits?: number) =>
    digits === undefined
      ? `${n(r.median)} (${n(r.min)}–${n(r.max)})`
      : `${r.median.toFixed(digits)} (${r.min.toFixed(digits)}–${r.max.toFixed(digits)})`;
  const lines = [
    `${header}`,
    '',
    '| scenario | size | product /s, median (range) | raw baseline /s | ratio | targets |',
    '| --- | --- | --- | --- | --- | --- |',
    ...summaries
      .map((s) =>
        [
          `\`${s.name}\``,
          `${n(s.items)} ${s.unit}`,
          range(s.productSide.rate),
          s.baselineSide ? range(s.baselineSide.rate) : s.ratio ? 'derived' : '–',
          // Two decimals hide a ratio of 0.004; small ratios get three.
          s.ratio ? range(s.ratio, s.ratio.median < 0.1 ? 3 : 2) : '–',
          s.error
            ? `FAILED: ${s.error}`
            : s.verdicts
                .map(
                  (v) =>
                    `${v.what} ${formatVerdict(v.what, v.value)} (${v.target}): ${v.met ? 'met' : '**missed**'}`,
                )
                .join('; ') || '–',
        ].join(' | '),
      )
      .map((row) => `| ${row} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Ratios with two decimals, three below 0.1 (0.006 is not 0.01); other figures rounded. */
function formatVerdict(what: string, value: number): string {
  if (what === 'ratio') return value.toFixed(value < 0.1 ? 3 : 2);
  return value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) >= 100 ? 0 : 1 });
}
