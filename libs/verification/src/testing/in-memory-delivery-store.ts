import {
  type DeliveryKey,
  deliveryKeyOf,
  type DeliveryWrite,
  type MailDelivery,
  type MailDeliveryStore,
} from '../mail-delivery';

/** The delivery records in memory, with the store's rules: a claim loses to an existing record. */
export class InMemoryDeliveryStore implements MailDeliveryStore {
  readonly records = new Map<string, MailDelivery>();
  /** Every write call, for tests that count round trips. */
  readonly writeCalls: DeliveryWrite[][] = [];

  async findDeliveries(keys: readonly DeliveryKey[]): Promise<MailDelivery[]> {
    return keys.flatMap((k) => this.records.get(deliveryKeyOf(k)) ?? []);
  }

  async write(writes: readonly DeliveryWrite[]): Promise<boolean[]> {
    this.writeCalls.push([...writes]);
    return writes.map((w) => this.apply(w));
  }

  /** Claimed and not answered: what a crash now could send twice. */
  unanswered(): MailDelivery[] {
    return [...this.records.values()].filter((d) => d.status === 'claimed');
  }

  private apply(write: DeliveryWrite): boolean {
    if (write.kind === 'answer') {
      const key = deliveryKeyOf(write.key);
      const found = this.records.get(key);
      if (!found) return true;
      if (
        write.status === 'released' &&
        (found.sender !== write.sender || found.status !== 'claimed')
      )
        return true;
      const answered: MailDelivery = { ...found, status: write.status };
      delete answered.reason;
      if (write.reason) answered.reason = write.reason;
      this.records.set(key, answered);
      return true;
    }
    const key = deliveryKeyOf(write.delivery);
    const found = this.records.get(key);
    if (write.kind === 'claim' && found) return false;
    if (
      write.kind === 'reclaim' &&
      (!found ||
        found.status !== write.found.status ||
        found.claimedAt.getTime() !== write.found.claimedAt.getTime())
    )
      return false;
    this.records.set(key, write.delivery);
    return true;
  }
}
