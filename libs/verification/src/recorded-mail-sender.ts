import {
  type DeliveryKey,
  DeliveryJournal,
  deliveryKeyOf,
  type DeliveryWrite,
  type MailDelivery,
  type MailDeliveryStore,
  WirePermits,
} from './mail-delivery';
import type { MailAnswer, VerificationMail, VerificationMailer } from './verification-mailer';

export interface RecordedSenderOptions {
  /** The SMTP connections: at most this many mails are claimed without an answer. */
  maxInFlight: number;
  /** How long a claim without an answer may still be on the wire (the SMTP timeout). */
  claimLeaseMs: number;
  /** This process, as its claims name it. */
  sender: string;
  clock?: () => Date;
}

/** What the record says of a mail before this batch sends it. */
export type DeliveryState =
  | { kind: 'accepted'; linkIssuedAt: Date }
  | { kind: 'refused'; reason: string }
  /** Claimed by a sender whose answer may still come: not ours to send until `until`. */
  | { kind: 'in_flight'; until: Date }
  /** Never claimed, released, or a claim whose lease ran out: ours to send. */
  | { kind: 'claimable'; found?: MailDelivery };

export type SendAnswer =
  | { kind: 'sent' }
  | { kind: 'refused'; reason: string }
  | { kind: 'in_flight' }
  | { kind: 'error'; error: unknown };

/**
 * Sends verification mails so that a crash repeats only the mails that were on the wire: a
 * batch's mails are claimed before the first leaves, and each answer is recorded as the SMTP
 * server gives it, riding in one write with the answers of the other mails in flight
 * (DeliveryJournal).
 */
export class RecordedMailSender {
  private readonly journal: DeliveryJournal;
  private readonly permits: WirePermits;
  /** A mail holds one from its start (built, before a connection takes it) to its answer. */
  private readonly connections: WirePermits;
  private readonly clock: () => Date;
  /** Set while the records cannot be written: no mail leaves whose answer could not be kept. */
  private recordsFailing: unknown;
  /** Mails past their end whose answer has not reached the journal yet. */
  private awaitingAnswer = 0;

  constructor(
    private readonly store: MailDeliveryStore,
    private readonly mailer: VerificationMailer,
    private readonly options: RecordedSenderOptions,
  ) {
    // A group is complete when every permit is held by a mail whose answer is queued: no other
    // mail can be accepted, so no other answer can come, before this write frees permits.
    this.journal = new DeliveryJournal(store, {
      complete: () => this.awaitingAnswer === 0 && this.permits.exhausted,
    });
    this.permits = new WirePermits(options.maxInFlight);
    this.connections = new WirePermits(options.maxInFlight);
    this.clock = options.clock ?? (() => new Date());
  }

  /** One read for the whole batch: what became of each mail's earlier attempts. */
  async statesOf(keys: readonly DeliveryKey[]): Promise<Map<string, DeliveryState>> {
    const found = new Map(
      (await this.store.findDeliveries(keys)).map((d) => [deliveryKeyOf(d), d] as const),
    );
    const now = this.clock().getTime();
    return new Map(
      keys.map((k) => [
        deliveryKeyOf(k),
        stateOf(found.get(deliveryKeyOf(k)), now, this.options.claimLeaseMs),
      ]),
    );
  }

  /**
   * Claims the mails about to be sent, in one write before the first of them leaves. Returns
   * those claimed; the others another sender claimed meanwhile (still in flight elsewhere).
   */
  async claim(
    mails: readonly { key: DeliveryKey; linkIssuedAt: Date; found?: MailDelivery }[],
  ): Promise<Set<string>> {
    if (mails.length === 0) return new Set();
    const taken = await this.recorded(() =>
      this.store.write(mails.map((m) => this.claimOf(m.key, m.linkIssuedAt, m.found))),
    );
    return new Set(mails.filter((_, i) => taken[i]).map((m) => deliveryKeyOf(m.key)));
  }

  /**
   * Sends a claimed mail and records the server's answer. A mail takes one of `maxInFlight`
   * connection turns once it is built, before a connection takes it, so that no more mails are
   * handed to SMTP than there are connections and a mail asked for later can still go before
   * the mails already waiting; interactive ones go first. It holds a wire permit from the end
   * of its message (the moment the server can accept it) until its answer is stored, so that
   * at most `maxInFlight` mails are ever accepted (or about to be) without an answer on record:
   * what a crash repeats. The mailer waits for the permit with the envelope and body already
   * sent, so the connection does not idle while the answer before is written.
   */
  async send(mail: VerificationMail & DeliveryKey): Promise<SendAnswer> {
    // Rendered before any wait: a batch renders in one go, not one mail per freed permit.
    const deliver = this.mailer.prepare?.(mail) ?? ((hooks) => this.mailer.send(mail, hooks));
    // Nothing of it goes on the wire while the records are known to fail.
    if (this.recordsFailing !== undefined) return { kind: 'error', error: this.recordsFailing };
    const end = new MailTurn(this.wire, mail.lane === 'interactive');
    try {
      let answer: MailAnswer;
      try {
        answer = await deliver({ beforeStart: () => end.start(), beforeEnd: () => end.hold() });
      } catch (error) {
        end.answered();
        // Abandoned before it was accepted; the answer could not be written anyway.
        if (end.heldBack) return { kind: 'error', error: end.heldBack.cause };
        // Not accepted: released, so that the retry claims it again at once.
        await this.answer(mail, 'released');
        return { kind: 'error', error };
      }
      end.answered();
      if (answer === 'sent') {
        await this.answer(mail, 'accepted');
        return { kind: 'sent' };
      }
      await this.answer(mail, 'refused', answer.rejected);
      return { kind: 'refused', reason: answer.rejected };
    } finally {
      // Only once the answer is stored: the permit bounds the mails without one.
      end.release();
    }
  }

  /** What a mail's turn needs of this sender. */
  private readonly wire: WireBookkeeping = {
    connection: (urgent) => this.connections.acquire(urgent),
    connectionFree: () => this.connections.release(),
    acquire: (urgent) => this.permits.acquire(urgent),
    release: () => this.permits.release(),
    awaiting: (change: 1 | -1) => {
      this.awaitingAnswer += change;
    },
    failing: () => this.recordsFailing,
  };

  /** A write of the records; its failure stops further sends until a write succeeds again. */
  private async recorded<T>(write: () => Promise<T>): Promise<T> {
    try {
      const result = await write();
      this.recordsFailing = undefined;
      return result;
    } catch (error) {
      this.recordsFailing = error;
      throw error;
    }
  }

  private claimOf(key: DeliveryKey, linkIssuedAt: Date, found?: MailDelivery): DeliveryWrite {
    const delivery: MailDelivery = {
      tenantId: key.tenantId,
      sendId: key.sendId,
      status: 'claimed',
      sender: this.options.sender,
      claimedAt: this.clock(),
      linkIssuedAt,
    };
    return found
      ? { kind: 'reclaim', delivery, found: { status: found.status, claimedAt: found.claimedAt } }
      : { kind: 'claim', delivery };
  }

  /** Records the answer, in one write with those of the other mails in flight. */
  private async answer(
    key: DeliveryKey,
    status: 'accepted' | 'refused' | 'released',
    reason?: string,
  ): Promise<void> {
    await this.recorded(() =>
      this.journal.write({
        kind: 'answer',
        key: { tenantId: key.tenantId, sendId: key.sendId },
        sender: this.options.sender,
        status,
        at: this.clock(),
        ...(reason ? { reason } : {}),
      }),
    );
  }
}

function stateOf(found: MailDelivery | undefined, now: number, leaseMs: number): DeliveryState {
  if (!found || found.status === 'released')
    return found ? { kind: 'claimable', found } : { kind: 'claimable' };
  if (found.status === 'accepted') return { kind: 'accepted', linkIssuedAt: found.linkIssuedAt };
  if (found.status === 'refused') return { kind: 'refused', reason: found.reason ?? 'refused' };
  const until = found.claimedAt.getTime() + leaseMs;
  return until > now ? { kind: 'in_flight', until: new Date(until) } : { kind: 'claimable', found };
}

interface WireBookkeeping {
  connection(urgent: boolean): Promise<void>;
  connectionFree(): void;
  acquire(urgent: boolean): Promise<void>;
  release(): void;
  awaiting(change: 1 | -1): void;
  failing(): unknown;
}

/** Why a mail was held back: its delivery record could not be written (the database went away). */
const HELD_BACK = 'mail held back: its delivery record cannot be written';

/**
 * One mail's turn at SMTP: a connection turn from its start until its answer is in hand, and a
 * wire permit from its end until the answer is stored.
 */
class MailTurn {
  private connected = false;
  private holding = false;
  private inHand = false;
  heldBack: { cause: unknown } | undefined;

  constructor(
    private readonly wire: WireBookkeeping,
    private readonly urgent: boolean,
  ) {}

  async start(): Promise<void> {
    if (this.connected) return;
    await this.wire.connection(this.urgent);
    this.connected = true;
    this.holdBackIfFailing();
  }

  async hold(): Promise<void> {
    // Once per mail, however often the transport starts the message again.
    if (this.holding) return;
    await this.wire.acquire(this.urgent);
    this.holding = true;
    this.wire.awaiting(1);
    this.holdBackIfFailing();
  }

  /** The answer is in hand (no longer awaited), before it joins the journal. */
  answered(): void {
    if (this.inHand) return;
    this.inHand = true;
    if (this.connected) this.wire.connectionFree();
    if (this.holding) this.wire.awaiting(-1);
  }

  /** Once the answer is stored (or the mail given up): its permit goes to the next mail. */
  release(): void {
    this.answered();
    if (this.holding) this.wire.release();
  }

  /**
   * The database went away under this batch: the rest waits for the retry instead of being
   * accepted with answers nobody could record (each one a repeat after the next crash).
   */
  private holdBackIfFailing(): void {
    const failing = this.wire.failing();
    if (failing === undefined) return;
    this.heldBack = { cause: failing };
    throw new Error(HELD_BACK);
  }
}
