/**
 * One scrape of an app's /metrics, as Prometheus would do it: `series('name{a="b"}')` is that
 * series' value, 0 when it has not been written yet (a counter with no increments yet).
 */
export async function scrapeMetrics(port: number): Promise<(series: string) => number> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  const values = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const space = line.lastIndexOf(' ');
    values.set(withoutServiceLabel(line.slice(0, space)), Number(line.slice(space + 1)));
  }
  return (series) => values.get(series) ?? 0;
}

// Every series carries service="..."; tests name series without it.
function withoutServiceLabel(series: string): string {
  return series
    .replace(/service="[^"]*",?/, '')
    .replace(/,}$/, '}')
    .replace(/\{\}$/, '');
}
