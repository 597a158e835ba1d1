/**
 * Columns padded to their widest cell; numeric columns (by index) right-aligned, so figures
 * line up for people reading them.
 */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: ReadonlySet<number> = new Set(),
): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `[#########...........]  45% 450/1000`: a bar of `width` cells. */
export function progressBar(done: number, total: number | undefined, width = 30): string {
  if (total === undefined || total <= 0) return `[${'?'.repeat(width)}]  ${done}/?`;
  const fraction = Math.min(1, Math.max(0, done / total));
  const filled = Math.round(fraction * width);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent} ${done}/${total}`;
}

/** UTC, to the second: what the logs and the events use. */
export function when(date: Date | undefined): string {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}
