import type { Locale, VerificationMailRequestedData } from '@app/contracts';
import type { OutboxBatch } from '@app/messaging';
import { sameAddress } from './email-address';
import { completeIfDone, type OutcomeValue, type RequestProgressStore } from './request-progress';
import { statusChangedEvent } from './status-changed-event';
import type { Cause, UserState, UserStateStore } from './user-state';
import { issueToken } from './verification-token';

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
 * refused it for good (5xx); throws when it may work later (4xx, connection lost), so the
 * messaging layer retries it.
 */
export interface VerificationMailer {
  send(mail: VerificationMail): Promise<'sent' | { rejected: string }>;
}

export interface SentMail {
  outcome: Exclude<OutcomeValue, 'due'>;
  /** The user's VerificationStatusChanged, when the mail went out. */
  outbox?: OutboxBatch;
  completion?: OutboxBatch;
}

/**
 * The mail step (R2, R4): rechecks that the user is still due the mail, stores a fresh link's
 * hash before the link leaves, sends, and settles the user's outcome in the request.
 */
export class SendVerificationMail {
  constructor(
    private readonly store: UserStateStore,
    private readonly progress: RequestProgressStore,
    private readonly mailer: VerificationMailer,
    private readonly options: { tokenTtlMs: number },
  ) {}

  async execute(request: VerificationMailRequestedData, cause: Cause): Promise<SentMail> {
    const [state] = await this.store.findByUserIds(request.tenantId, [request.userId]);
    const notDue = reasonNotToSend(state, request.email);
    if (notDue || !state) return this.settle(request, notDue ?? 'no_email', cause);

    const issued = issueToken(state, cause.at, this.options.tokenTtlMs);
    await this.store.saveMany([{ state: issued.state, events: [] }]);
    const result = await this.mailer.send({
      to: state.email ?? request.email,
      sendId: request.sendId,
      token: issued.token,
      expiresAt: issued.expiresAt,
      ...(state.displayName ? { displayName: state.displayName } : {}),
      ...(state.locale ? { locale: state.locale } : {}),
    });
    if (result !== 'sent') return this.settle(request, 'failed', cause);

    const sent: UserState = { ...issued.state, status: 'verification_sent', lastSentAt: cause.at };
    const change = {
      tenantId: sent.tenantId,
      userId: sent.userId,
      status: sent.status,
      email: sent.email,
      requestId: request.requestId,
    };
    const outbox = await this.store.saveMany([
      { state: sent, events: [statusChangedEvent(change, cause)] },
    ]);
    return { ...(await this.settle(request, 'sent', cause)), outbox };
  }

  private async settle(
    request: VerificationMailRequestedData,
    outcome: Exclude<OutcomeValue, 'due'>,
    cause: Cause,
  ): Promise<SentMail> {
    const { tenantId, requestId, userId } = request;
    await this.progress.settle({ tenantId, requestId, userId, outcome });
    const completion = await completeIfDone(this.progress, requestId, cause);
    return { outcome, ...(completion ? { completion } : {}) };
  }
}

/**
 * Between decision and sending the user may have been linked or verified, or given another
 * address (a later request sends to that one): then this mail is not sent.
 */
function reasonNotToSend(
  state: UserState | undefined,
  decidedAddress: string,
): Exclude<OutcomeValue, 'due'> | undefined {
  if (!state || !state.email) return 'no_email';
  if (state.status === 'linked') return 'already_linked';
  if (state.status === 'verified') return 'already_verified';
  if (!sameAddress(state.email, decidedAddress)) return 'failed';
  return undefined;
}
