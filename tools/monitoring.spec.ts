// Checks the monitoring profile's files (docker-compose.yml, infra/monitoring/) by reading
// them, since nothing here runs containers: the scrape targets against the compose services
// and the apps' own config, the Grafana provisioning against the mounts, and every PromQL
// expression of the sample dashboard against the metrics the code defines. It lives in
// tools/ because the unit project's roots (jest.config.js) and tsconfig.json do not cover infra/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Histogram } from 'prom-client';
import { parse } from 'yaml';
import { type ComposeService, readComposeFile } from './compose-file';
import { z } from 'zod';
import type { Environment } from '@app/config';
import { createMetricsRegistry } from '@app/observability';
import { loadConsoleConfig } from '../apps/ops-console/src/config';
import { loadImportWorkerConfig } from '../apps/import-worker/src/config';
import { loadPageConfig } from '../apps/verification-page/src/config';
import { loadWorkerConfig } from '../apps/verification-worker/src/config';

const ROOT = join(__dirname, '..');
const DASHBOARD_PATH = 'infra/monitoring/grafana/dashboards/connect-provisioning.json';
const PROFILE = 'monitoring';

// ---------------------------------------------------------------- the files, as far as read

const prometheusSchema = z.object({
  global: z.object({ scrape_interval: z.string() }),
  scrape_configs: z.array(
    z.object({
      job_name: z.string(),
      metrics_path: z.string().optional(),
      static_configs: z.array(z.object({ targets: z.array(z.string()) })),
    }),
  ),
});

const datasourcesSchema = z.object({
  datasources: z.array(
    z.object({
      type: z.string(),
      uid: z.string(),
      url: z.string(),
      jsonData: z.object({ timeInterval: z.string() }),
    }),
  ),
});

const providersSchema = z.object({
  providers: z.array(z.object({ type: z.string(), options: z.object({ path: z.string() }) })),
});

const datasourceRef = z.object({ type: z.string(), uid: z.string() });
const panelSchema = z.object({
  id: z.number(),
  type: z.string(),
  title: z.string(),
  datasource: datasourceRef.optional(),
  targets: z.array(z.object({ expr: z.string(), datasource: datasourceRef })).optional(),
  // Collapsed rows carry their panels inside; open rows have an empty list.
  panels: z.array(z.unknown()).optional(),
});
type Panel = z.output<typeof panelSchema>;

const dashboardSchema = z.object({
  uid: z.string(),
  schemaVersion: z.number(),
  panels: z.array(panelSchema),
  templating: z.object({
    list: z.array(z.object({ name: z.string(), query: z.string(), datasource: datasourceRef })),
  }),
});

const readText = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const readYaml = <T>(path: string, schema: z.ZodType<T>): T => schema.parse(parse(readText(path)));

const compose = readComposeFile();
const prometheus = readYaml('infra/monitoring/prometheus.yml', prometheusSchema);
const datasources = readYaml(
  'infra/monitoring/grafana/provisioning/datasources/prometheus.yml',
  datasourcesSchema,
);
const providers = readYaml(
  'infra/monitoring/grafana/provisioning/dashboards/dashboards.yml',
  providersSchema,
);
const dashboard = dashboardSchema.parse(JSON.parse(readText(DASHBOARD_PATH)));

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/** The container side of a `host:container` port mapping. */
const containerPorts = (s: ComposeService): number[] =>
  (s.ports ?? []).map((mapping) => Number(mapping.split(':').at(-1)));

/** `./host:/container:ro` mounts, split. */
const mounts = (s: ComposeService) =>
  (s.volumes ?? []).map((volume) => {
    const [host = '', container = '', mode] = volume.split(':');
    return { host, container, mode };
  });

// ------------------------------------------------------------------------- the apps' ports

/**
 * Each app's own config loader, by the APP build argument: given the service's compose
 * environment it yields the HEALTH_PORT the container listens on, default included, so a
 * changed default or an added HEALTH_PORT variable is seen here without copying either.
 */
const HEALTH_PORT_OF: Readonly<Record<string, (env: Environment) => number>> = {
  'verification-worker': (env) => loadWorkerConfig(env).HEALTH_PORT,
  'verification-page': (env) => loadPageConfig(env).HEALTH_PORT,
  'import-worker': (env) => loadImportWorkerConfig(env).HEALTH_PORT,
  'ops-console': (env) => loadConsoleConfig(env).HEALTH_PORT,
};

/** Compose services built from ./Dockerfile, i.e. the product's apps, with their APP. */
const appServices = (): Array<{ name: string; app: string; service: ComposeService }> =>
  Object.entries(compose.services).flatMap(([name, s]) => {
    const app = s.build?.args.APP;
    return app ? [{ name, app, service: s }] : [];
  });

function healthPort(app: string, s: ComposeService): number {
  const load = HEALTH_PORT_OF[app];
  if (!load) throw new Error(`no config loader for app ${app}; add it to HEALTH_PORT_OF`);
  const env = Object.fromEntries(
    Object.entries(s.environment ?? {}).map(([key, value]) => [key, String(value)]),
  );
  return load(env);
}

/** The `service` label on every series of the app: the `service:` of its defineService. */
function serviceLabel(app: string): string | undefined {
  return /^ {2}service: '([^']+)',$/m.exec(readText(`apps/${app}/src/bootstrap.ts`))?.[1];
}

// ---------------------------------------------------------------- the metrics the code has

interface MetricDefinition {
  /** Label names besides those every series has (service, job, instance). */
  labels: readonly string[];
  /** Histograms are queried as _bucket (with le), _count and _sum. */
  histogram: boolean;
}

const EVERY_SERIES_LABELS = ['service', 'job', 'instance'];
// Series Prometheus makes itself for each target.
const PROMETHEUS_SERIES: ReadonlyMap<string, MetricDefinition> = new Map([
  ['up', { labels: [], histogram: false }],
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
    .map((file) => join(dir, file));
}

/**
 * The connect_* metrics, found the way a reader would: `name: 'connect_...'` in apps/ and libs/,
 * whether in a prom-client constructor or in the options of an OutcomeCounter, with the
 * labelNames (or the one label) of the same object literal.
 */
function codeMetrics(): Map<string, MetricDefinition> {
  const found = new Map<string, MetricDefinition>();
  for (const file of [...sourceFiles('apps'), ...sourceFiles('libs')]) {
    const text = readText(file);
    for (const match of text.matchAll(/name:\s*'(connect_\w+)'([^}]*)\}/g)) {
      const [, name = '', rest = ''] = match;
      const labelNames = /labelNames:\s*\[([^\]]*)\]/.exec(rest)?.[1];
      const labels = labelNames
        ? [...labelNames.matchAll(/'(\w+)'/g)].map(([, label = '']) => label)
        : [/\blabel:\s*'(\w+)'/.exec(rest)?.[1]].filter((label) => label !== undefined);
      const before = text.slice(0, match.index);
      found.set(name, { labels, histogram: /new Histogram(<[^>]*>)?\(\{\s*$/.test(before) });
    }
  }
  return found;
}

/** prom-client's default metrics, from a registry made exactly as the apps make theirs. */
async function defaultMetrics(): Promise<Map<string, MetricDefinition>> {
  const registry = createMetricsRegistry('monitoring-spec');
  const values = await registry.getMetricsAsJSON();
  const histograms = new Set(
    registry
      .getMetricsAsArray()
      .filter((metric) => metric instanceof Histogram)
      .map((metric) => metric.name),
  );
  registry.clear();
  return new Map(
    values.map((metric) => [
      metric.name,
      {
        labels: [...new Set(metric.values.flatMap((value) => Object.keys(value.labels)))],
        histogram: histograms.has(metric.name),
      },
    ]),
  );
}

/** A series name as queried: the metric itself, or a histogram's _bucket, _count or _sum. */
function resolveSeries(
  name: string,
  defined: ReadonlyMap<string, MetricDefinition>,
): MetricDefinition | undefined {
  const direct = defined.get(name);
  if (direct) return direct;
  const [, base = '', suffix] = /^(\w+)_(bucket|count|sum)$/.exec(name) ?? [];
  const histogram = defined.get(base);
  if (!histogram?.histogram) return undefined;
  return {
    labels: suffix === 'bucket' ? [...histogram.labels, 'le'] : histogram.labels,
    histogram: false,
  };
}

// ------------------------------------------------------------------ PromQL, read by pattern

// No PromQL parser is installed, so expressions are read by pattern: enough for the
// dashboard's shapes (aggregation, rate over a selector, histogram_quantile), and strict
// where a typo would otherwise only show as an empty panel.
const STRINGS = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g;
const GROUPING = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset']);
// The functions and aggregations the dashboard uses or is likely to; extend when a panel needs more.
const FUNCTIONS = new Set([
  ...['sum', 'min', 'max', 'avg', 'count', 'topk', 'bottomk', 'quantile', 'stddev', 'group'],
  ...['rate', 'irate', 'increase', 'delta', 'deriv', 'histogram_quantile'],
  ...['max_over_time', 'min_over_time', 'avg_over_time', 'clamp_min', 'clamp_max', 'abs'],
  ...['absent', 'vector', 'time', 'label_replace'],
]);
// Functions of counters that take a range vector, always written here as rate(x{...}[r]).
const RANGE_FUNCTIONS = /\b(?:rate|irate|increase)\(/g;
const RANGE_CALL =
  /\b(?:rate|irate|increase)\(\s*[A-Za-z_:][\w:]*(?:\{[^}]*\})?\s*\[[^\]]+\]\s*\)/g;

interface PromQlUse {
  series: string[];
  functions: string[];
  labels: string[];
}

function readPromQl(expr: string): PromQlUse {
  const text = expr.replace(STRINGS, '""');
  const matcherLabels = [...text.matchAll(/\{([^}]*)\}/g)].flatMap(([, body = '']) =>
    [...body.matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)/g)].map(([, label = '']) => label),
  );
  const groupingLabels = [...text.matchAll(GROUPING)].flatMap(([, list = '']) =>
    list
      .split(',')
      .map((label) => label.trim())
      .filter(Boolean),
  );
  const bare = text
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(GROUPING, ' ');
  const series: string[] = [];
  const functions: string[] = [];
  // Not after a word character, a dot or $: skips exponents, decimals and Grafana variables.
  for (const [, name = '', call] of bare.matchAll(/(?<![\w.$])([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    if (call) functions.push(name);
    else if (!KEYWORDS.has(name)) series.push(name);
  }
  return { series, functions, labels: [...matcherLabels, ...groupingLabels] };
}

/** Syntax problems a pattern can see: unbalanced brackets, rate() without a range. */
function syntaxProblems(expr: string): string[] {
  const text = expr.replace(STRINGS, '""');
  const closing: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };
  const open: string[] = [];
  for (const char of text) {
    if ('([{'.includes(char)) open.push(char);
    else if (closing[char] && open.pop() !== closing[char]) return [`unexpected ${char}`];
  }
  const problems = open.length > 0 ? [`unclosed ${open.join('')}`] : [];
  const calls = text.match(RANGE_FUNCTIONS)?.length ?? 0;
  if ((text.match(RANGE_CALL)?.length ?? 0) !== calls)
    problems.push('rate/irate/increase must take one selector with a [range]');
  return problems;
}

/** Everything wrong with one expression, as readable lines; none when it is right. */
function exprProblems(expr: string, defined: ReadonlyMap<string, MetricDefinition>): string[] {
  const use = readPromQl(expr);
  const problems = syntaxProblems(expr);
  problems.push(
    ...use.functions.filter((f) => !FUNCTIONS.has(f)).map((f) => `unknown function ${f}`),
  );
  if (use.series.length === 0) problems.push('queries no metric');
  const allowed = new Set(EVERY_SERIES_LABELS);
  for (const name of use.series) {
    const metric = resolveSeries(name, defined);
    if (!metric) problems.push(`${name} is not a metric the code defines`);
    metric?.labels.forEach((label) => allowed.add(label));
  }
  problems.push(
    ...use.labels.filter((l) => !allowed.has(l)).map((l) => `label ${l} is not on its metrics`),
  );
  return problems;
}

/** Panels with their rows' (collapsed rows keep theirs inside), queries included. */
function allPanels(): Panel[] {
  return dashboard.panels.flatMap((panel) => [
    panel,
    ...(panel.panels ?? []).map((inner) => panelSchema.parse(inner)),
  ]);
}

const queries = (): Array<{ title: string; expr: string }> =>
  allPanels().flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ title: panel.title, expr: target.expr })),
  );

// ---------------------------------------------------------------------------------- tests

describe('docker-compose.yml, monitoring profile', () => {
  it('holds prometheus and grafana, and every other service stays in the default set', () => {
    const profiled = Object.entries(compose.services).filter(([, s]) => s.profiles);
    expect(profiled.map(([name]) => name).sort()).toEqual(['grafana', 'prometheus']);
    for (const [, s] of profiled) expect(s.profiles).toEqual([PROFILE]);
    // Without a profile compose starts a service on a plain `docker compose up`.
    for (const name of ['kafka', 'mongodb', 'mailpit', ...appServices().map((a) => a.name)])
      expect(service(name).profiles).toBeUndefined();
  });

  it('publishes Prometheus on 9090 and Grafana on 3000, to this host only', () => {
    expect(service('prometheus').ports).toEqual(['127.0.0.1:9090:9090']);
    expect(service('grafana').ports).toEqual(['127.0.0.1:3000:3000']);
  });

  it('mounts files of the repository that exist, read-only', () => {
    for (const name of ['prometheus', 'grafana']) {
      const volumes = mounts(service(name));
      expect(volumes.length).toBeGreaterThan(0);
      for (const { host, mode } of volumes) {
        expect({ host, mode }).toEqual({ host: expect.stringMatching(/^\.\//), mode: 'ro' });
        expect(existsSync(join(ROOT, host))).toBe(true);
      }
    }
  });
});

describe('infra/monitoring/prometheus.yml', () => {
  const targetsOf = (job: string): string[] | undefined =>
    prometheus.scrape_configs
      .find((config) => config.job_name === job)
      ?.static_configs.flatMap((c) => c.targets);

  it('scrapes every 15 s', () => {
    expect(prometheus.global.scrape_interval).toBe('15s');
  });

  it('scrapes each app by its compose service name on the HEALTH_PORT it listens on', () => {
    const apps = appServices();
    expect(apps.map((a) => a.app).sort()).toEqual(Object.keys(HEALTH_PORT_OF).sort());
    const ports = apps.map(({ app, service: s }) => healthPort(app, s));
    // Distinct, so the README's localhost:8081/8082/8083 also hold outside containers.
    expect(new Set(ports).size).toBe(apps.length);
    apps.forEach(({ name }, i) => expect(targetsOf(name)).toEqual([`${name}:${ports[i]}`]));
  });

  it('names each app job after the service label the app puts on its series', () => {
    // So up{job=~"$service"} follows the dashboard's service filter.
    for (const { name, app } of appServices()) expect(serviceLabel(app)).toBe(name);
  });

  it('scrapes Prometheus itself, at its container port', () => {
    expect(targetsOf('prometheus')).toEqual([
      `prometheus:${containerPorts(service('prometheus'))[0]}`,
    ]);
  });

  it('has only targets that are compose services, at /metrics', () => {
    for (const config of prometheus.scrape_configs) {
      expect(config.metrics_path ?? '/metrics').toBe('/metrics');
      for (const target of config.static_configs.flatMap((c) => c.targets))
        expect(Object.keys(compose.services)).toContain(target.split(':')[0]);
    }
  });
});

describe('infra/monitoring/grafana/provisioning', () => {
  it("points the data source at the prometheus service, with Prometheus's scrape interval", () => {
    expect(datasources.datasources).toHaveLength(1);
    const [source] = datasources.datasources;
    const port = containerPorts(service('prometheus'))[0];
    expect(source).toMatchObject({ type: 'prometheus', url: `http://prometheus:${port}` });
    // Grafana's $__rate_interval is built from it.
    expect(source?.jsonData.timeInterval).toBe(prometheus.global.scrape_interval);
  });

  it('loads dashboards from where compose mounts infra/monitoring/grafana/dashboards', () => {
    const mount = mounts(service('grafana')).find(
      (m) => m.host === './infra/monitoring/grafana/dashboards',
    );
    expect(providers.providers).toEqual([{ type: 'file', options: { path: mount?.container } }]);
    expect(service('grafana').environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
      `${mount?.container}/connect-provisioning.json`,
    );
  });

  it('mounts both provisioning directories where Grafana reads them', () => {
    const containers = mounts(service('grafana')).map((m) => m.container);
    expect(containers).toEqual(
      expect.arrayContaining([
        '/etc/grafana/provisioning/datasources',
        '/etc/grafana/provisioning/dashboards',
      ]),
    );
  });
});

describe(DASHBOARD_PATH, () => {
  let defined: Map<string, MetricDefinition>;

  beforeAll(async () => {
    defined = new Map([...codeMetrics(), ...(await defaultMetrics()), ...PROMETHEUS_SERIES]);
  });

  it('has the uid and schema version asked for, and distinct panel ids', () => {
    expect(dashboard).toMatchObject({ uid: 'connect-provisioning', schemaVersion: 39 });
    const ids = allPanels().map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('titles every panel in Swedish first, then English: "sv / en"', () => {
    const untitled = allPanels().filter((panel) => !/^\S.* \/ \S.*$/.test(panel.title));
    expect(untitled.map((panel) => panel.title)).toEqual([]);
  });

  it('queries only the provisioned data source', () => {
    const uid = datasources.datasources[0]?.uid;
    const refs = [
      ...allPanels().flatMap((panel) => [
        ...(panel.targets?.length ? [panel.datasource] : []),
        ...(panel.targets ?? []).map((target) => target.datasource),
      ]),
      ...dashboard.templating.list.map((variable) => variable.datasource),
    ];
    expect(new Set(refs.map((ref) => `${ref?.type}/${ref?.uid}`))).toEqual(
      new Set([`prometheus/${uid}`]),
    );
  });

  it('finds the metrics the code defines (the check below is only as good as this)', () => {
    expect(defined.get('connect_events_consumed_total')?.labels).toEqual([
      'group',
      'topic',
      'result',
    ]);
    expect(defined.get('connect_import_rows_total')?.labels).toEqual(['outcome']);
    expect(defined.get('connect_smtp_send_seconds')?.histogram).toBe(true);
    expect(defined.get('connect_smtp_failures_total')?.histogram).toBe(false);
    expect(defined.has('nodejs_eventloop_lag_p99_seconds')).toBe(true);
  });

  it('uses only metrics the code defines, labels they carry and well-formed PromQL', () => {
    const problems = queries().flatMap(({ title, expr }) =>
      exprProblems(expr, defined).map((problem) => `${title}: ${problem} in ${expr}`),
    );
    expect(problems).toEqual([]);
  });

  it("takes the service variable's values from a metric every app has", () => {
    for (const variable of dashboard.templating.list) {
      const [, metric = '', label] = /^label_values\((\w+),\s*(\w+)\)$/.exec(variable.query) ?? [];
      expect(resolveSeries(metric, defined)).toBeDefined();
      expect(label).toBe(variable.name);
    }
  });

  it('shows every connect_ metric the code defines (add a panel with a new one)', () => {
    const shown = new Set(queries().flatMap(({ expr }) => readPromQl(expr).series));
    const hidden = [...codeMetrics().keys()].filter(
      (name) => ![name, `${name}_bucket`, `${name}_count`, `${name}_sum`].some((s) => shown.has(s)),
    );
    expect(hidden).toEqual([]);
  });
});

describe('the PromQL reader itself', () => {
  // So a broken pattern cannot make the dashboard check pass by seeing nothing.
  it('reads series, functions and labels, and skips numbers, ranges and variables', () => {
    expect(
      readPromQl(
        'histogram_quantile(0.99, sum by (le) (rate(x_bucket{service=~"$service", a="}"}[$__rate_interval])))',
      ),
    ).toEqual({
      series: ['x_bucket'],
      functions: ['histogram_quantile', 'sum', 'rate'],
      labels: ['service', 'a', 'le'],
    });
  });

  it('reports unbalanced brackets, rate without a range, and unknown names', () => {
    const defined = new Map([['x_total', { labels: ['code'], histogram: false }]]);
    expect(exprProblems('sum(rate(x_total[5m])', defined)).toEqual(['unclosed (']);
    expect(exprProblems('rate(x_total)', defined)).toEqual([
      'rate/irate/increase must take one selector with a [range]',
    ]);
    expect(exprProblems('sum by (kod) (rat(y_total[5m]))', defined)).toEqual([
      'unknown function rat',
      'y_total is not a metric the code defines',
      'label kod is not on its metrics',
    ]);
    expect(exprProblems('sum by (code) (rate(x_total[5m]))', defined)).toEqual([]);
  });
});
