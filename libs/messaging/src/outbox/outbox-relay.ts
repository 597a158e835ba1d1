import type { Logger } from 'pino';
import type { EventPublisher } from '../event-publisher';
import type { OutboxBatch, OutboxStore } from './outbox-entry';

export interface OutboxRelayOptions {
  sweepIntervalMs: number;
  /** Entries younger than this are left to the process that wrote them (its fast path). */
  graceMs: number;
  sweepLimit?: number;
}

/**
 * Publishes outbox entries, then removes them. The writer calls `flush` right after its write
 * (the fast path); a periodic sweep publishes what a dead process left behind. An entry may be
 * published twice (crash between publish and removal); consumers dedupe on the event id.
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    private readonly publisher: EventPublisher,
    private readonly stores: readonly OutboxStore[],
    private readonly options: OutboxRelayOptions,
    private readonly logger: Logger,
  ) {}

  async flush(batch: OutboxBatch): Promise<void> {
    const pending = batch.pending.filter((p) => p.entries.length > 0);
    if (pending.length === 0) return;
    await this.publisher.publishEntries(pending.flatMap((p) => p.entries));
    await batch.store.acknowledge(pending);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .then(() => undefined)
        .catch((error: unknown) =>
          this.logger.warn({ err: error }, 'outbox sweep failed; will try again'),
        )
        .finally(() => (this.sweeping = undefined));
    }, this.options.sweepIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** Publishes every stale entry of every store; returns how many it published. */
  async sweep(): Promise<number> {
    const before = new Date(Date.now() - this.options.graceMs);
    let published = 0;
    for (const store of this.stores) {
      for (;;) {
        const pending = await store.findStale(before, this.options.sweepLimit ?? 500);
        if (pending.length === 0) break;
        await this.flush({ store, pending });
        const count = pending.reduce((n, p) => n + p.entries.length, 0);
        published += count;
        this.logger.info(
          { store: store.name, events: count },
          'outbox sweep published leftover events',
        );
      }
    }
    return published;
  }
}
