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
                `${v.what} ${v.what === 'ratio' ? v.value.toFixed(2) : n(v.value)} ${v.target} ${v.met ? 'met' : 'MISSED'}`,
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
