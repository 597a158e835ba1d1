/**
 * What is known of one verification mail's delivery, kept per send (tenant and send id) the
 * moment it changes: claimed just before the mail goes on the wire, then accepted or refused
 * as the SMTP server answers, or released when the attempt failed in a way that may pass
 * later. A redelivered batch reads these first and sends only what has no answer; a claim with
 * no answer is another sender's mail in flight until its lease runs out.
 */
export type DeliveryStatus = 'claimed' | 'accepted' | 'refused' | 'released';

export interface DeliveryKey {
  tenantId: string;
  sendId: string;
}

export interface MailDelivery extends DeliveryKey {
  status: DeliveryStatus;
  /** The process that claimed it last. */
  sender: string;
  claimedAt: Date;
  /** The link the claimed attempt carries: a settled `sent` voids the user's earlier links. */
  linkIssuedAt: Date;
  /** A refusal's reason, e.g. "SMTP 550". */
  reason?: string;
}

/** One change of the record, applied together with those of the other mails in flight. */
export type DeliveryWrite =
  | { kind: 'claim'; delivery: MailDelivery }
  /** A claim of a record found released or with an expired claim, unless it changed since. */
  | { kind: 'reclaim'; delivery: MailDelivery; found: Pick<MailDelivery, 'status' | 'claimedAt'> }
  | {
      kind: 'answer';
      key: DeliveryKey;
      sender: string;
      status: 'accepted' | 'refused' | 'released';
      at: Date;
      reason?: string;
    };

/** The delivery records; persistence implements it. */
export interface MailDeliveryStore {
  findDeliveries(keys: readonly DeliveryKey[]): Promise<MailDelivery[]>;
  /**
   * Applies the writes in one round trip where it can. Per write, whether it took effect: a
   * claim loses to one that another sender made first; an answer always stands (a release
   * only over the sender's own claim).
   */
  write(writes: readonly DeliveryWrite[]): Promise<boolean[]>;
}

export const deliveryKeyOf = (key: DeliveryKey): string =>
  JSON.stringify([key.tenantId, key.sendId]);

export interface JournalOptions {
  /**
   * True when no further write can join before this one goes: every mail that may be accepted
   * has its answer queued. Until then the journal waits (up to `lingerMs`), so that the answers
   * of the mails in flight share one round trip instead of going one or two at a time.
   */
  complete?: () => boolean;
  /** The longest a write waits for the others (default 5 ms). */
  lingerMs?: number;
}

/**
 * Group commit for delivery records: the writes handed in while one round trip is under way
 * (and those of the same turn of the event loop) go out together in the next, and a write
 * waits briefly for the answers still awaited, so the answers of the mails in flight share
 * their round trips.
 */
export class DeliveryJournal {
  private queue: { write: DeliveryWrite; settle: (r: boolean | Error) => void }[] = [];
  private flushing = false;
  private linger: NodeJS.Timeout | undefined;
  private readonly lingerMs: number;

  constructor(
    private readonly store: MailDeliveryStore,
    private readonly options: JournalOptions = {},
  ) {
    this.lingerMs = options.lingerMs ?? 5;
  }

  write(write: DeliveryWrite): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, settle: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
      this.schedule();
    });
  }

  /** Flushes at once when the group is complete; else once the linger runs out. */
  private schedule(): void {
    // A flush under way takes the queue when its round trip is done.
    if (this.flushing || this.queue.length === 0) return;
    if (this.options.complete?.() === false) {
      this.linger ??= setTimeout(() => this.start(), this.lingerMs);
      return;
    }
    // After this turn: answers that came in the same turn join this write.
    this.flushing = true;
    setImmediate(() => this.start());
  }

  private start(): void {
    clearTimeout(this.linger);
    this.linger = undefined;
    this.flushing = true;
    void this.flush();
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0);
    try {
      const taken = await this.store.write(batch.map((b) => b.write));
      batch.forEach((b, i) => b.settle(taken[i] ?? false));
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const b of batch) b.settle(failure);
    }
    this.flushing = false;
    this.schedule();
  }
}

/**
 * Permits of the SMTP connections, first to the urgent: a freed permit goes straight to the
 * next waiting interactive mail, else to the next bulk one, in the order they asked.
 */
export class WirePermits {
  private free: number;
  private readonly urgent: (() => void)[] = [];
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  /** No permit free: a mail at its end waits for one. */
  get exhausted(): boolean {
    return this.free === 0;
  }

  async acquire(urgent = false): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => (urgent ? this.urgent : this.waiting).push(resolve));
  }

  release(): void {
    const next = this.urgent.shift() ?? this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}
