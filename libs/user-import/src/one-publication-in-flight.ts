import type { OutboxBatch } from '@app/contracts';

export type Publish = (batch: OutboxBatch) => Promise<void>;

/**
 * Publishes one batch's saved events while the caller goes on: `next` waits for the previous
 * publication before starting the next, `finish` for the last; `settle` waits without
 * throwing, so a failure elsewhere never leaves a publication running behind the import. The
 * events are in their documents' outboxes already: one that is never published here is
 * published by the relay's sweep.
 */
export class OnePublicationInFlight {
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly publish: Publish) {}

  async next(batches: readonly OutboxBatch[]): Promise<void> {
    await this.inFlight;
    this.inFlight = (async () => {
      for (const batch of batches) await this.publish(batch);
    })();
    // Awaited by the next call or by finish(); until then its failure must not count as unhandled.
    this.inFlight.catch(() => undefined);
  }

  finish(): Promise<void> {
    return this.inFlight;
  }

  async settle(): Promise<void> {
    await this.inFlight.catch(() => undefined);
  }
}
