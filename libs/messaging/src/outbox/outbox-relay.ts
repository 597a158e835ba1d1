import type { Logger } from 'pino';
import type { EventPublisher } from '../event-publisher';
import type { OutboxBatch, OutboxStore } from '@app/contracts';

export interface OutboxRelayOptions {
  sweepIntervalMs: number;
  /** Entries younger than this are left to the process that wrote them (its fast path). */
  graceMs: number;
  sweepLimit?: number;
}

/** Pages read per store and sweep: a page that cannot be cleared must not spin the loop. */
const MAX_PAGES = 20;
const MAX_IDLE_FACTOR = 12;

/**
 * Publishes outbox entries, then removes them. The writer calls `flush` right after its write
 * (the fast path); a periodic sweep publishes what a dead process left behind. An entry may be
 * published twice (crash between publish and removal); consumers dedupe on the event id.
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private stopped = true;
  private idleFactor = 1;

  constructor(
    private readonly publisher: EventPublisher,
    private readonly stores: readonly OutboxStore[],
    private readonly options: OutboxRelayOptions,
    private readonly logger: Logger,
  ) {}

  async flush(batch: OutboxBatch): Promise<void> {
    if (batch.pending.length === 0) return;
    await this.publisher.publishEntries(batch.pending.flatMap((p) => p.entries));
    // Owners with no entries are passed on too: the sweep finds such owners by an earlier
    // version's marker, which the store then clears.
    await batch.store.acknowledge(batch.pending);
  }

  /**
   * Sweeps every `sweepIntervalMs`, and less often while sweeps find nothing (up to 12 times
   * the interval): leftovers are rare, and where the entries' index is not built (the local
   * server builds no non-unique index) each sweep reads whole collections.
   */
  start(): void {
    this.stopped = false;
    this.schedule(this.options.sweepIntervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweeping = this.sweep()
        .then((found) => (found > 0 ? 0 : Math.min(this.idleFactor * 2, MAX_IDLE_FACTOR)))
        .catch((error: unknown) => {
          this.logger.warn({ err: error }, 'outbox sweep failed; will try again');
          return 0;
        })
        .then((factor) => {
          this.idleFactor = Math.max(1, factor);
          this.sweeping = undefined;
          this.schedule(this.options.sweepIntervalMs * this.idleFactor);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** Publishes stale entries of every store; returns how many it published. */
  async sweep(): Promise<number> {
    const before = new Date(Date.now() - this.options.graceMs);
    const limit = this.options.sweepLimit ?? 500;
    let published = 0;
    for (const store of this.stores) {
      for (let page = 0; page < MAX_PAGES; page++) {
        const pending = await store.findStale(before, limit);
        if (pending.length === 0) break;
        await this.flush({ store, pending });
        const count = pending.reduce((n, p) => n + p.entries.length, 0);
        published += count;
        if (count > 0)
          this.logger.info(
            { store: store.name, events: count },
            'outbox sweep published leftover events',
          );
        if (pending.length < limit) break;
      }
    }
    return published;
  }
}
