import { Counter, Gauge, type Registry } from 'prom-client';

/** What became of one consumed event. */
export type ConsumeResult = 'handled' | 'duplicate' | 'retried' | 'dead_lettered';

/**
 * The messaging layer's Prometheus figures: what each consumer group did with each topic's
 * events, what was produced where, and how far each partition lags. Lag is the broker's high
 * watermark at fetch time minus the next offset to handle, so it is as fresh as the last batch.
 */
export class MessagingMetrics {
  private readonly consumed: Counter<'group' | 'topic' | 'result'>;
  private readonly produced: Counter<'topic'>;
  private readonly lag: Gauge<'group' | 'topic' | 'partition'>;

  constructor(registry: Registry) {
    this.consumed = new Counter({
      name: 'connect_events_consumed_total',
      help: 'Events consumed, by consumer group, topic and what became of them',
      labelNames: ['group', 'topic', 'result'],
      registers: [registry],
    });
    this.produced = new Counter({
      name: 'connect_events_produced_total',
      help: 'Events published, by topic',
      labelNames: ['topic'],
      registers: [registry],
    });
    this.lag = new Gauge({
      name: 'connect_consumer_lag',
      help: 'Messages behind the high watermark, per consumer group and partition, at the last batch',
      labelNames: ['group', 'topic', 'partition'],
      registers: [registry],
    });
  }

  eventsConsumed(group: string, topic: string, result: ConsumeResult, count: number): void {
    if (count > 0) this.consumed.inc({ group, topic, result }, count);
  }

  eventsProduced(topic: string, count: number): void {
    if (count > 0) this.produced.inc({ topic }, count);
  }

  partitionLag(group: string, topic: string, partition: number, lag: number): void {
    this.lag.set({ group, topic, partition: String(partition) }, Math.max(0, lag));
  }
}
