import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

/**
 * The process's Prometheus registry: Node's own figures (event-loop delay, heap, GC, RSS,
 * handles) labelled with the service, served on /metrics by the HealthServer. Apps add their
 * domain counters to the same registry.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // 10 ms resolution: the event-loop delay budget (p99 < 100 ms) is stated in tens of ms.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  return registry;
}

/**
 * A counter with one label, for outcomes a handler already tallies for its log line (e.g.
 * `{ sent: 98, failed: 1 }`): the same tally, kept for /metrics.
 */
export class OutcomeCounter {
  private readonly counter: Counter<string>;
  private readonly label: string;

  constructor(registry: Registry, options: { name: string; help: string; label: string }) {
    this.counter = new Counter({
      name: options.name,
      help: options.help,
      labelNames: [options.label],
      registers: [registry],
    });
    this.label = options.label;
  }

  add(counts: Readonly<Record<string, number>>): void {
    for (const [value, count] of Object.entries(counts))
      if (count > 0) this.counter.inc({ [this.label]: value }, count);
  }

  inc(value: string): void {
    this.counter.inc({ [this.label]: value });
  }
}
