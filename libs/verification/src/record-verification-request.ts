import {
  type AnyCloudEvent,
  type CloudEvent,
  type MailLane,
  MAX_USERS_PER_PART,
  type OutboxBatch,
  type VerificationRequestedData,
} from '@app/contracts';
import { decideVerification, type Decision, type DecisionPolicy } from './decide-verification';
import { mailRequestedEvent } from './mail-requested-event';
import {
  RequestCompletion,
  type RequestProgressStore,
  type StandingOutcome,
} from './request-progress';
import { statusChangedEvent } from './status-changed-event';
import {
  StateConflictError,
  type Cause,
  type StateWrite,
  type StatusChange,
  type UserState,
  type UserStateStore,
} from './user-state';

/** What the contract's decision said for one user of the request. */
export interface UserOutcome {
  userId: string;
  decision: Decision;
}

export interface RecordedRequest {
  changes: StatusChange[];
  /** The decisions of the users this part holds (a user listed by an earlier part is its). */
  outcomes: UserOutcome[];
  /** The VerificationBatchCompleted, when this part completed the request. */
  completion?: OutboxBatch;
}

/** Publishes saved events and clears them from their outbox (the messaging layer's relay). */
export type PublishSaved = (batch: OutboxBatch) => Promise<void>;

/**
 * Publishes the mail step's hand-offs. They need no outbox: the part's record holds each
 * user's outcome before any hand-off exists, and a redelivered part hands over again every
 * user whose outcome stands `due` (the mail step skips what it settled).
 */
export type HandOff = (events: readonly CloudEvent<'VerificationMailRequested'>[]) => Promise<void>;

/** How a part's due mails are handed to the mail step. */
export interface HandOffPolicy {
  /**
   * A request of one part and at most this many users is interactive: someone is waiting for
   * its mails, which take the interactive lane (0: every request is bulk).
   */
  interactiveMaxUsers: number;
}

/** The lane of a request's mails: interactive when it is small enough to be someone waiting. */
export function laneOfRequest(
  request: Pick<VerificationRequestedData, 'part' | 'users'>,
  policy: HandOffPolicy,
): MailLane | undefined {
  const small = request.part.count === 1 && request.users.length <= policy.interactiveMaxUsers;
  return small ? 'interactive' : undefined;
}

/**
 * States saved, and their events published, per this many users: a whole part. Its time from
 * write to publish stays well inside the outbox sweep's grace (a 1,000-user part writes in tens
 * of milliseconds), so the sweep never publishes again what this process is about to publish.
 */
const USERS_PER_SAVE = MAX_USERS_PER_PART;

/** Saves of one group tried this often when other writers keep changing its users meanwhile. */
const SAVE_ATTEMPTS = 3;

type RequestedUser = VerificationRequestedData['users'][number];

interface Decided {
  user: RequestedUser;
  before: UserState | undefined;
  after: UserState;
  decision: Decision;
  change?: StatusChange;
  events: AnyCloudEvent[];
}

/**
 * Decides every user of one VerificationRequested part (R1, R5): saves an entered address when
 * allowed, and reports each user's outcome and every state that changed. One read, one record
 * of the part and one bulk write per group of users, never a round trip per user.
 */
export class RecordVerificationRequest {
  private readonly completion: RequestCompletion;

  constructor(
    private readonly store: UserStateStore,
    private readonly progress: RequestProgressStore,
    private readonly policy: DecisionPolicy,
    private readonly publish: PublishSaved,
    private readonly handOff: HandOff,
    private readonly handOffPolicy: HandOffPolicy = { interactiveMaxUsers: 0 },
  ) {
    this.completion = new RequestCompletion(progress);
  }

  /**
   * True for a request someone is waiting for (interactive): it is decided where it arrives.
   * The others are decided in the bulk lane, so that no small request waits behind them.
   */
  isInteractive(request: Pick<VerificationRequestedData, 'part' | 'users'>): boolean {
    return laneOfRequest(request, this.handOffPolicy) === 'interactive';
  }

  async execute(request: VerificationRequestedData, cause: Cause): Promise<RecordedRequest> {
    const users = lastEntryPerUser(request.users);
    const decided = await this.decideAll(request, users, cause);
    // The part and its outcomes are recorded before any hand-off exists, so the mail step never
    // settles a mail whose part is not counted. The outcome that stands is the first recorded:
    // a redelivery hands over the same mails.
    const standing = await this.progress.recordPart({
      tenantId: request.tenantId,
      requestId: request.requestId,
      part: request.part,
      users: decided.map(({ after, decision }) => ({
        userId: after.userId,
        outcome: decision.kind === 'send' ? 'due' : decision.reason,
      })),
    });
    for (let start = 0; start < decided.length; start += USERS_PER_SAVE)
      await this.save(request, decided, start, cause);
    // After the states they were decided on are saved: a hand-off never names an address that
    // a lost write did not store.
    const lane = laneOfRequest(request, this.handOffPolicy);
    await this.handOff(handOffsOf({ ...request, lane }, decided, standing, cause));
    const completion = await this.completion.completeIfDone(request, cause);
    return {
      changes: decided.flatMap((d) => d.change ?? []),
      outcomes: decided
        .filter((d) => standing.has(d.after.userId))
        .map((d) => ({ userId: d.after.userId, decision: d.decision })),
      ...(completion ? { completion } : {}),
    };
  }

  /**
   * Saves one group's changed states with their events. A user another writer changed since the
   * read (a link, an import) is read and decided again.
   */
  private async save(
    request: VerificationRequestedData,
    decided: Decided[],
    start: number,
    cause: Cause,
  ): Promise<void> {
    let positions = decided.slice(start, start + USERS_PER_SAVE).map((_, i) => start + i);
    for (let attempt = 1; positions.length > 0; attempt++) {
      const writes = positions.flatMap((p) => writeOf(decided[p]!));
      if (writes.length === 0) return;
      const { published, conflicts } = await this.store.saveMany(writes);
      await this.publish(published);
      if (conflicts.length === 0) return;
      if (attempt === SAVE_ATTEMPTS) throw new StateConflictError(conflicts.length);
      const conflicting = new Set(conflicts.map((c) => c.state.userId));
      positions = positions.filter((p) => conflicting.has(decided[p]!.after.userId));
      const fresh = await this.readStates(
        request.tenantId,
        positions.map((p) => decided[p]!.user),
      );
      for (const p of positions)
        decided[p] = this.decide(
          request,
          decided[p]!.user,
          fresh.get(decided[p]!.user.userId),
          cause,
        );
    }
  }

  private async decideAll(
    request: VerificationRequestedData,
    users: readonly RequestedUser[],
    cause: Cause,
  ): Promise<Decided[]> {
    const known = await this.readStates(request.tenantId, users);
    return users.map((user) => this.decide(request, user, known.get(user.userId), cause));
  }

  private async readStates(
    tenantId: string,
    users: readonly RequestedUser[],
  ): Promise<Map<string, UserState>> {
    const states = await this.store.findByUserIds(
      tenantId,
      users.map((u) => u.userId),
    );
    return new Map(states.map((s) => [s.userId, s]));
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
      return { user, before, after, decision, events: [] };
    const change: StatusChange = {
      tenantId: after.tenantId,
      userId: after.userId,
      status: after.status,
      email: after.email,
      requestId: request.requestId,
    };
    return { user, before, after, decision, change, events: [statusChangedEvent(change, cause)] };
  }
}

/** A changed status, address or profile is written; an unchanged user is not rewritten. */
function writeOf({ before, after, events }: Decided): StateWrite[] {
  if (events.length === 0 && before && !profileChanged(before, after)) return [];
  return [{ ...(before ? { before } : {}), state: after, events }];
}

function profileChanged(before: UserState, after: UserState): boolean {
  return (
    before.displayName !== after.displayName ||
    before.companyId !== after.companyId ||
    before.locale !== after.locale
  );
}

/** One hand-off per user whose outcome stands `due`, from the state as decided and saved. */
function handOffsOf(
  request: VerificationRequestedData & { lane: MailLane | undefined },
  decided: readonly Decided[],
  standing: ReadonlyMap<string, StandingOutcome>,
  cause: Cause,
): CloudEvent<'VerificationMailRequested'>[] {
  return decided.flatMap(({ after }) => {
    const held = standing.get(after.userId);
    if (held?.outcome !== 'due') return [];
    const part = { requestId: request.requestId, part: request.part.index, lane: request.lane };
    return [mailRequestedEvent(after, part, held, cause)];
  });
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
