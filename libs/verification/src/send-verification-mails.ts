import type { Locale, VerificationMailRequestedData, OutboxBatch } from '@app/contracts';
import { sameAddress } from './email-address';
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

export interface VerificationMail {
  to: string;
  sendId: string;
  token: string;
  expiresAt: Date;
  displayName?: string;
  locale?: Locale;
}

/**
 * Renders and sends one verification mail. Resolves `sent`, or `{ rejected }` when the server
 * refused it for good (5xx); throws when it may work later (4xx, connection lost).
 */
export interface VerificationMailer {
  send(mail: VerificationMail): Promise<'sent' | { rejected: string }>;
}

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

/**
 * The mail step (R2, R4) for a batch of due mails: rechecks each user, stores a fresh link's
 * hash before the link leaves, sends, and settles each user's outcome in its request. A
 * constant number of database round trips per batch, whatever its size; the sends overlap up
 * to the transport's pool.
 */
export class SendVerificationMails {
  private readonly completion: RequestCompletion;

  constructor(
    private readonly store: UserStateStore,
    private readonly links: VerificationLinkStore,
    private readonly progress: RequestProgressStore,
    private readonly mailer: VerificationMailer,
    private readonly options: { tokenTtlMs: number; source: string },
  ) {
    this.completion = new RequestCompletion(progress);
  }

  async execute(requests: readonly MailRequest[], now: Date): Promise<SentBatch> {
    const result: SentBatch = { outcomes: new Map(), retry: new Map(), outbox: [] };
    const settled = await this.progress.findSettled(requests.map((r) => r.data));
    const todo = requests.filter((r) => {
      if (settled.has(sendKey(r.data))) result.outcomes.set(r.eventId, 'already_settled');
      return !settled.has(sendKey(r.data));
    });
    const states = await this.statesOf(todo);

    const settlements: Settled[] = [];
    const toSend: {
      request: MailRequest;
      state: UserState;
      token: string;
      link: VerificationLink;
    }[] = [];
    for (const request of todo) {
      const state = states.get(stateKey(request.data));
      const notDue = reasonNotToSend(state, request.data.email);
      if (notDue || !state) {
        const reason = notDue === 'failed' ? 'address_changed' : undefined;
        settlements.push(this.settlement(request, notDue ?? 'no_email', now, state, reason));
        continue;
      }
      toSend.push({ request, state, ...issueLink(request.data, now, this.options.tokenTtlMs) });
    }
    // The links exist before any mail carrying them leaves.
    await this.links.insertMany(toSend.map((s) => s.link));

    const sentMarks: SentMark[] = [];
    const answers = await Promise.allSettled(
      toSend.map((s) =>
        this.mailer.send({
          to: s.request.data.email,
          sendId: s.request.data.sendId,
          token: s.token,
          expiresAt: s.link.expiresAt,
          ...(s.state.displayName ? { displayName: s.state.displayName } : {}),
          ...(s.state.locale ? { locale: s.state.locale } : {}),
        }),
      ),
    );
    answers.forEach((answer, i) => {
      const { request, state, link } = toSend[i]!;
      if (answer.status === 'rejected') {
        if (request.finalAttempt)
          settlements.push(this.settlement(request, 'failed', now, state, 'retries_exhausted'));
        else result.retry.set(request.eventId, answer.reason);
      } else if (answer.value === 'sent') {
        const { tenantId, userId, email } = request.data;
        // The link's own instant: every link of this user issued before it is void from now on.
        sentMarks.push({ tenantId, userId, email, at: link.issuedAt });
        settlements.push(this.settlement(request, 'sent', now, state));
      } else {
        settlements.push(this.settlement(request, 'failed', now, state, answer.value.rejected));
      }
    });

    // The user's state before the settlement: a crash in between sends the mail again (bounded,
    // and recognisable by its Message-ID) rather than leaving a sent mail unrecorded.
    await this.store.markSent(sentMarks);
    result.outbox.push(await this.progress.settleMany(settlements));
    for (const s of settlements) result.outcomes.set(s.eventId, s.outcome);
    await this.completeRequests(settlements, now, result);
    return result;
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
