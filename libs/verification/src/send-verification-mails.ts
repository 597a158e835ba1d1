import type { VerificationMailRequestedData, OutboxBatch } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sameAddress } from './email-address';
import {
  type DeliveryKey,
  deliveryKeyOf,
  type MailDelivery,
  type MailDeliveryStore,
} from './mail-delivery';
import { RecordedMailSender } from './recorded-mail-sender';
import type { VerificationMail, VerificationMailer } from './verification-mailer';
import {
  type OutcomeValue,
  RequestCompletion,
  type RequestProgressStore,
  type SendRef,
  sendKey,
  type Settlement,
} from './request-progress';
import { statusChangedEvent } from './status-changed-event';
import type { Cause, SentMark, UserState, UserStateStore } from './user-state';
import { issueLink, type VerificationLink, type VerificationLinkStore } from './verification-link';

export type { VerificationMail, VerificationMailer } from './verification-mailer';

/** One due mail as the mail step received it. */
export interface MailRequest {
  /** The VerificationMailRequested's id: what the outcome and the failures are reported by. */
  eventId: string;
  data: VerificationMailRequestedData;
  /** When true, a failure that might pass later is final: the user is settled `failed`. */
  finalAttempt: boolean;
}

export type MailOutcome = Exclude<OutcomeValue, 'due'> | 'already_settled';

export interface SentBatch {
  /** By event id: what became of each mail handled. */
  outcomes: Map<string, MailOutcome>;
  /** By event id: mails that failed in a way that may pass later; to be retried. */
  retry: Map<string, unknown>;
  /** The settlements' events and any completions, to publish. */
  outbox: OutboxBatch[];
}

type Settled = Settlement & { eventId: string };

export interface MailStepOptions {
  tokenTtlMs: number;
  source: string;
  /** The SMTP connections: a crash repeats at most this many mails (those on the wire). */
  maxInFlight: number;
  /** How long an unanswered claim may still be on the wire: the SMTP timeout. */
  claimLeaseMs: number;
  /** This process in the delivery records; a random id by default. */
  sender?: string;
  /** How the batch waits for another sender's lease; a timer by default (tests pass theirs). */
  wait?: (ms: number) => Promise<void>;
}

interface Due {
  request: MailRequest;
  state: UserState;
}

/** What one execute() gathers while it goes. */
interface BatchWork {
  result: SentBatch;
  settlements: Settled[];
  sentMarks: SentMark[];
  now: Date;
}

/**
 * A mail another sender claimed and may still have on the wire, past the wait for its lease:
 * tried again later from the retry topics, never sent twice at once.
 */
export class MailInFlightError extends Error {
  readonly failureKind = 'transient';
  readonly code = 'mail_in_flight_elsewhere';

  constructor() {
    super('another sender claimed this mail and its claim has not run out');
    this.name = 'MailInFlightError';
  }
}

function mailOf(
  request: MailRequest,
  state: UserState,
  token: string,
  link: VerificationLink,
): VerificationMail & DeliveryKey {
  return {
    tenantId: request.data.tenantId,
    sendId: request.data.sendId,
    to: request.data.email,
    token,
    expiresAt: link.expiresAt,
    ...(state.displayName ? { displayName: state.displayName } : {}),
    ...(state.locale ? { locale: state.locale } : {}),
    ...(request.data.lane ? { lane: request.data.lane } : {}),
  };
}

/**
 * The mail step (R2, R4) for a batch of due mails: rechecks each user, stores a fresh link's
 * hash before the link leaves, sends, and settles each user's outcome in its request. A
 * constant number of database round trips per batch, whatever its size; the sends overlap up
 * to the transport's pool.
 */
export class SendVerificationMails {
  private readonly completion: RequestCompletion;

  private readonly sender: RecordedMailSender;
  private readonly wait: (ms: number) => Promise<void>;

  constructor(
    private readonly store: UserStateStore,
    private readonly links: VerificationLinkStore,
    private readonly progress: RequestProgressStore,
    deliveries: MailDeliveryStore,
    mailer: VerificationMailer,
    private readonly options: MailStepOptions,
  ) {
    this.completion = new RequestCompletion(progress);
    this.sender = new RecordedMailSender(deliveries, mailer, {
      maxInFlight: options.maxInFlight,
      claimLeaseMs: options.claimLeaseMs,
      sender: options.sender ?? randomUUID(),
    });
    this.wait = options.wait ?? ((ms) => sleep(ms));
  }

  async execute(requests: readonly MailRequest[], now: Date): Promise<SentBatch> {
    const batch: BatchWork = {
      result: { outcomes: new Map(), retry: new Map(), outbox: [] },
      settlements: [],
      sentMarks: [],
      now,
    };
    const settled = await this.progress.findSettled(requests.map((r) => r.data));
    const todo = requests.filter((r) => {
      if (settled.has(sendKey(r.data))) batch.result.outcomes.set(r.eventId, 'already_settled');
      return !settled.has(sendKey(r.data));
    });
    const states = await this.statesOf(todo);
    const due: Due[] = [];
    for (const request of todo) {
      const state = states.get(stateKey(request.data));
      const notDue = reasonNotToSend(state, request.data.email);
      if (notDue || !state) {
        const reason = notDue === 'failed' ? 'address_changed' : undefined;
        batch.settlements.push(this.settlement(request, notDue ?? 'no_email', now, state, reason));
      } else due.push({ request, state });
    }

    // Mails another sender may still have on the wire wait for its lease, then are looked at
    // again: answered by then, or ours to send.
    let waiting = await this.sendDue(due, batch);
    if (waiting.length > 0) {
      await this.wait(Math.max(0, ...waiting.map((w) => w.until.getTime())) - Date.now());
      waiting = await this.sendDue(waiting, batch);
    }
    for (const { request } of waiting)
      batch.result.retry.set(request.eventId, new MailInFlightError());

    // The user's state before the settlement: a crash in between settles from the delivery
    // records on the next delivery, sending nothing again.
    await this.store.markSent(batch.sentMarks);
    batch.result.outbox.push(await this.progress.settleMany(batch.settlements));
    for (const s of batch.settlements) batch.result.outcomes.set(s.eventId, s.outcome);
    await this.completeRequests(batch.settlements, now, batch.result);
    return batch.result;
  }

  /**
   * Settles the due mails the delivery records already answer, sends the others that are ours
   * to send (their links stored before any leaves), and returns those still in flight elsewhere.
   */
  private async sendDue(due: readonly Due[], batch: BatchWork): Promise<(Due & { until: Date })[]> {
    const deliveries = await this.sender.statesOf(due.map((d) => d.request.data));
    const waiting: (Due & { until: Date })[] = [];
    const toSend: (Due & { token: string; link: VerificationLink; found?: MailDelivery })[] = [];
    for (const d of due) {
      const delivery = deliveries.get(deliveryKeyOf(d.request.data));
      if (delivery?.kind === 'accepted') this.settleSent(d, delivery.linkIssuedAt, batch);
      else if (delivery?.kind === 'refused') this.settleRefused(d, delivery.reason, batch);
      else if (delivery?.kind === 'in_flight') waiting.push({ ...d, until: delivery.until });
      else
        toSend.push({
          ...d,
          ...issueLink(d.request.data, batch.now, this.options.tokenTtlMs),
          ...(delivery?.found ? { found: delivery.found } : {}),
        });
    }
    // The links exist, and the mails are claimed, before any mail carrying them leaves.
    const [, claimed] = await Promise.all([
      this.links.insertMany(toSend.map((s) => s.link)),
      this.sender.claim(
        toSend.map((s) => ({
          key: s.request.data,
          linkIssuedAt: s.link.issuedAt,
          ...(s.found ? { found: s.found } : {}),
        })),
      ),
    ]);
    const answers = await Promise.all(
      toSend.map((s) =>
        claimed.has(deliveryKeyOf(s.request.data))
          ? this.sender.send(mailOf(s.request, s.state, s.token, s.link))
          : Promise.resolve({ kind: 'in_flight' as const }),
      ),
    );
    answers.forEach((answer, i) => {
      const s = toSend[i]!;
      if (answer.kind === 'sent') this.settleSent(s, s.link.issuedAt, batch);
      else if (answer.kind === 'refused') this.settleRefused(s, answer.reason, batch);
      else if (answer.kind === 'in_flight')
        waiting.push({ ...s, until: new Date(Date.now() + this.options.claimLeaseMs) });
      else if (s.request.finalAttempt)
        batch.settlements.push(
          this.settlement(s.request, 'failed', batch.now, s.state, 'retries_exhausted'),
        );
      else batch.result.retry.set(s.request.eventId, answer.error);
    });
    return waiting;
  }

  private settleSent({ request, state }: Due, linkIssuedAt: Date, batch: BatchWork): void {
    const { tenantId, userId, email } = request.data;
    // The link's own instant: every link of this user issued before it is void from now on.
    batch.sentMarks.push({ tenantId, userId, email, at: linkIssuedAt });
    batch.settlements.push(this.settlement(request, 'sent', batch.now, state));
  }

  private settleRefused({ request, state }: Due, reason: string, batch: BatchWork): void {
    batch.settlements.push(this.settlement(request, 'failed', batch.now, state, reason));
  }

  private async statesOf(requests: readonly MailRequest[]): Promise<Map<string, UserState>> {
    const byTenant = new Map<string, string[]>();
    for (const { data } of requests)
      byTenant.set(data.tenantId, [...(byTenant.get(data.tenantId) ?? []), data.userId]);
    const states = new Map<string, UserState>();
    for (const [tenantId, userIds] of byTenant)
      for (const state of await this.store.findByUserIds(tenantId, userIds))
        states.set(stateKey(state), state);
    return states;
  }

  /** One check per request touched by this batch, not per mail. */
  private async completeRequests(settled: readonly Settled[], now: Date, result: SentBatch) {
    const requests = new Map<string, SendRef>(
      settled.map((s) => [JSON.stringify([s.tenantId, s.requestId]), s]),
    );
    for (const request of requests.values()) {
      const completion = await this.completion.completeIfDone(request, {
        at: now,
        source: this.options.source,
      });
      if (completion) result.outbox.push(completion);
    }
  }

  private settlement(
    request: MailRequest,
    outcome: Settlement['outcome'],
    now: Date,
    state?: UserState,
    reason?: string,
  ): Settled {
    const { tenantId, requestId, userId, email, part, slot } = request.data;
    const cause: Cause = { eventId: request.eventId, source: this.options.source, at: now };
    const events = [];
    if (outcome === 'sent' && state?.status !== 'verification_sent')
      events.push(
        statusChangedEvent(
          { tenantId, userId, status: 'verification_sent', email, requestId },
          cause,
        ),
      );
    // A refused mail changes no state; its reason still reaches the operators' topic.
    if (outcome === 'failed' && state)
      events.push(
        statusChangedEvent(
          { tenantId, userId, status: state.status, email: state.email, requestId, reason },
          cause,
        ),
      );
    return { eventId: request.eventId, tenantId, requestId, part, slot, userId, outcome, events };
  }
}

/**
 * Between decision and sending the user may have been linked or verified, or given another
 * address (a later request sends to that one): then this mail is not sent.
 */
function reasonNotToSend(
  state: UserState | undefined,
  decidedAddress: string,
): Settlement['outcome'] | undefined {
  if (!state || !state.email) return 'no_email';
  if (state.status === 'linked') return 'already_linked';
  if (state.status === 'verified') return 'already_verified';
  if (!sameAddress(state.email, decidedAddress)) return 'failed';
  return undefined;
}

function stateKey(user: { tenantId: string; userId: string }): string {
  return JSON.stringify([user.tenantId, user.userId]);
}
