import { collectDefaultMetrics, Registry } from 'prom-client';

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
