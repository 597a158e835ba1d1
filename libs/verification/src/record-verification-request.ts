import type { AnyCloudEvent, VerificationRequestedData } from '@app/contracts';
import type { OutboxBatch } from '@app/messaging';
import { decideVerification, type Decision, type DecisionPolicy } from './decide-verification';
import { completeIfDone, mailRequestedEvent, type RequestProgressStore } from './request-progress';
import { statusChangedEvent } from './status-changed-event';
import type { Cause, StateWrite, StatusChange, UserState, UserStateStore } from './user-state';

/** What the contract's decision said for one user of the request. */
export interface UserOutcome {
  userId: string;
  decision: Decision;
}

export interface RecordedRequest {
  changes: StatusChange[];
  outcomes: UserOutcome[];
  /** The VerificationBatchCompleted, when this part completed the request. */
  completion?: OutboxBatch;
}

/** Publishes saved events and clears them from their outbox (the messaging layer's relay). */
export type PublishSaved = (batch: OutboxBatch) => Promise<void>;

/**
 * States saved, and their events published, per this many users. A part of 1,000 users can
 * take minutes to write on a slow database; publishing per group keeps each group's time from
 * write to publish short, well inside the outbox sweep's grace, so the sweep never publishes
 * (and acknowledges) again what this process is about to publish itself.
 */
const USERS_PER_SAVE = 100;

type RequestedUser = VerificationRequestedData['users'][number];

/**
 * Decides every user of one VerificationRequested part (R1, R5): saves an entered address when
 * allowed, and reports each user's outcome and every state that changed. One read and one
 * bulk write per part, never a round trip per user.
 */
export class RecordVerificationRequest {
  constructor(
    private readonly store: UserStateStore,
    private readonly progress: RequestProgressStore,
    private readonly policy: DecisionPolicy,
    private readonly publish: PublishSaved,
  ) {}

  async execute(request: VerificationRequestedData, cause: Cause): Promise<RecordedRequest> {
    const users = lastEntryPerUser(request.users);
    const known = await this.store.findByUserIds(
      request.tenantId,
      users.map((u) => u.userId),
    );
    const byId = new Map(known.map((s) => [s.userId, s]));
    const decided = users.map((user) => this.decide(request, user, byId.get(user.userId), cause));

    // Outcomes before the hand-offs: a mail never exists without the outcome it settles. The
    // outcome that stands is the first recorded, so a redelivery hands over the same mails.
    const standing = await this.progress.recordOutcomes(
      decided.map(({ after, decision }) => ({
        tenantId: request.tenantId,
        requestId: request.requestId,
        userId: after.userId,
        outcome: decision.kind === 'send' ? 'due' : decision.reason,
      })),
    );

    const writes: StateWrite[] = [];
    for (const { before, after, events } of decided) {
      // The mail step's hand-off rides in the same update as the state: neither without the other.
      if (standing.get(after.userId) === 'due')
        events.push(mailRequestedEvent(after, request.requestId, cause));
      // Unchanged users with nothing due are not rewritten.
      if (events.length > 0) writes.push({ ...(before ? { before } : {}), state: after, events });
    }
    for (let start = 0; start < writes.length; start += USERS_PER_SAVE)
      await this.publish(await this.store.saveMany(writes.slice(start, start + USERS_PER_SAVE)));
    await this.progress.countPart(request.requestId, request.tenantId, request.part, users.length);
    const completion = await completeIfDone(this.progress, request.requestId, cause);
    return {
      changes: decided.flatMap((d) => d.change ?? []),
      outcomes: decided.map((d) => ({ userId: d.after.userId, decision: d.decision })),
      ...(completion ? { completion } : {}),
    };
  }

  private decide(
    request: VerificationRequestedData,
    user: RequestedUser,
    before: UserState | undefined,
    cause: Cause,
  ): Decided {
    const entry = {
      tenantId: request.tenantId,
      userId: user.userId,
      ...(user.email ? { email: user.email } : {}),
    };
    const { decision, state } = decideVerification(entry, before, {
      resend: request.resend,
      now: cause.at,
      policy: this.policy,
    });
    const after = withProfile(state, user);
    if (before && before.status === after.status && before.email === after.email)
      return { before, after, decision, events: [] };
    const change: StatusChange = {
      tenantId: after.tenantId,
      userId: after.userId,
      status: after.status,
      email: after.email,
      requestId: request.requestId,
    };
    return { before, after, decision, change, events: [statusChangedEvent(change, cause)] };
  }
}

interface Decided {
  before: UserState | undefined;
  after: UserState;
  decision: Decision;
  change?: StatusChange;
  events: AnyCloudEvent[];
}

function withProfile(state: UserState, user: RequestedUser): UserState {
  return {
    ...state,
    ...definedOnly({
      displayName: user.displayName,
      companyId: user.companyId,
      locale: user.locale,
    }),
  };
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// An administrator's selection may list a user twice; the last entry is the one meant.
function lastEntryPerUser(users: readonly RequestedUser[]): RequestedUser[] {
  return [...new Map(users.map((u) => [u.userId, u])).values()];
}
