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
  /** The VerificationStatusChanged events saved with the states, to publish. */
  outbox: OutboxBatch;
}

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
  ) {}

  async execute(request: VerificationRequestedData, cause: Cause): Promise<RecordedRequest> {
    const users = lastEntryPerUser(request.users);
    const known = await this.store.findByUserIds(
      request.tenantId,
      users.map((u) => u.userId),
    );
    const byId = new Map(known.map((s) => [s.userId, s]));

    const outcomes: UserOutcome[] = [];
    const writes: StateWrite[] = [];
    const changes: StatusChange[] = [];
    for (const user of users) {
      const before = byId.get(user.userId);
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
      outcomes.push({ userId: user.userId, decision });
      const events: AnyCloudEvent[] = [];
      if (!before || before.status !== after.status || before.email !== after.email) {
        const change: StatusChange = {
          tenantId: after.tenantId,
          userId: after.userId,
          status: after.status,
          email: after.email,
          requestId: request.requestId,
        };
        changes.push(change);
        events.push(statusChangedEvent(change, cause));
      }
      // The mail step's hand-off rides in the same update as the state: neither without the other.
      if (decision.kind === 'send')
        events.push(mailRequestedEvent(after, request.requestId, cause));
      // Unchanged users with nothing due are not rewritten.
      if (events.length > 0) writes.push({ state: after, events });
    }
    const outbox = await this.store.saveMany(writes);
    const completion = await this.countPart(request, outcomes, cause);
    return { changes, outcomes, outbox, ...(completion ? { completion } : {}) };
  }

  /**
   * Outcomes first, then the part: when every part is counted, every outcome exists. Then the
   * completion check, which only one process can pass (see RequestProgressStore).
   */
  /** Outcomes first, then the part: when every part is counted, every outcome exists. */
  private async countPart(
    request: VerificationRequestedData,
    outcomes: UserOutcome[],
    cause: Cause,
  ): Promise<OutboxBatch | undefined> {
    const { requestId, tenantId, part } = request;
    await this.progress.recordOutcomes(
      outcomes.map((o) => ({
        tenantId,
        requestId,
        userId: o.userId,
        outcome: o.decision.kind === 'send' ? 'due' : o.decision.reason,
      })),
    );
    await this.progress.countPart(requestId, tenantId, part, outcomes.length);
    return completeIfDone(this.progress, requestId, cause);
  }
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
