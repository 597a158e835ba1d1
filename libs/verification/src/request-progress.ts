import { v5 as uuidv5 } from 'uuid';
import {
  type AnyCloudEvent,
  type CloudEvent,
  createEvent,
  deterministicEventId,
  EVENT_ID_NAMESPACE,
  SKIP_REASONS,
  type SkipReason,
  verificationBatchCompletedId,
} from '@app/contracts';
import type { OutboxBatch } from '@app/messaging';
import type { UserState } from './user-state';

/** What became of one user in one request; `due` until the mail step settles it. */
export type OutcomeValue = SkipReason | 'due' | 'sent' | 'failed';

export interface UserRequestOutcome {
  tenantId: string;
  requestId: string;
  userId: string;
  outcome: OutcomeValue;
}

/** The mail step's final word on one due mail, with the events it implies (saved together). */
export interface Settlement extends UserRequestOutcome {
  outcome: Exclude<OutcomeValue, 'due'>;
  events: AnyCloudEvent[];
}

/** The counts of a request, derived by counting outcome records (never by incrementing). */
export interface RequestTally {
  requested: number;
  due: number;
  sent: number;
  failed: number;
  skipped: Record<SkipReason, number>;
}

export interface RequestProgress {
  requestId: string;
  tenantId: string;
  partCount: number;
  partsSeen: number;
  requested: number;
  completedAt: Date | null;
}

/** Progress derived from the counted parts' records; undefined before the first part. */
export function progressFromParts(
  requestId: string,
  parts: readonly { tenantId: string; partCount: number; users: number }[],
  completedAt: Date | null,
): RequestProgress | undefined {
  const first = parts[0];
  if (!first) return undefined;
  return {
    requestId,
    tenantId: first.tenantId,
    partCount: first.partCount,
    partsSeen: parts.length,
    requested: parts.reduce((n, p) => n + p.users, 0),
    completedAt,
  };
}

/**
 * Where request progress is kept; the persistence library implements it on single-document
 * updates only (docs/design/verification-mails.md, "Counting once").
 */
export interface RequestProgressStore {
  /**
   * Records each user's outcome once; recording it again changes nothing. Returns, by user id,
   * the outcome that stands: the first one recorded, which a redelivery must follow.
   */
  recordOutcomes(outcomes: readonly UserRequestOutcome[]): Promise<Map<string, OutcomeValue>>;
  /**
   * Settles due mails: sent, failed, or a skip found when one was about to be sent. Each
   * outcome and its events in one single-document write; returns the events to publish.
   */
  settleMany(settlements: readonly Settlement[]): Promise<OutboxBatch>;
  /** Of these send ids, those already settled (a redelivered mail is not sent again). */
  findSettled(sendIds: readonly string[]): Promise<Set<string>>;
  /** Counts part `index` of a request once. */
  countPart(
    requestId: string,
    tenantId: string,
    part: { index: number; count: number },
    users: number,
  ): Promise<'counted' | 'already_counted'>;
  progress(requestId: string): Promise<RequestProgress | undefined>;
  /** Whether any user of the request still waits for a mail (cheaper than a tally). */
  hasDue(requestId: string): Promise<boolean>;
  tally(requestId: string): Promise<RequestTally>;
  /** Marks the request completed with its event; undefined when another process already did. */
  markCompleted(
    requestId: string,
    event: CloudEvent<'VerificationBatchCompleted'>,
  ): Promise<OutboxBatch | undefined>;
}

// Project namespace + "send": the id of one user's mail in one request.
const SEND_NAMESPACE = uuidv5('send', EVENT_ID_NAMESPACE);

/** Deterministic: redelivering a part cannot create a second send for the same user. */
export function sendIdFor(tenantId: string, requestId: string, userId: string): string {
  return uuidv5([tenantId, requestId, userId].join('\u0000'), SEND_NAMESPACE);
}

/**
 * All parts arrived and every user of them has a final outcome. Outcomes are recorded before
 * their part is counted, so once every part is counted every outcome exists. (Counting users
 * from outcomes, not from part sizes, also counts a user listed in two parts once.)
 */
export function isComplete(progress: RequestProgress, tally: RequestTally): boolean {
  return (
    progress.completedAt === null && progress.partsSeen === progress.partCount && tally.due === 0
  );
}

/** Adds `n` users with this outcome to a tally; the one place that maps outcomes to counts. */
export function addToTally(tally: RequestTally, outcome: string, n = 1): void {
  if (outcome !== 'due' && outcome !== 'sent' && outcome !== 'failed' && !isSkipReason(outcome))
    return;
  tally.requested += n;
  if (outcome === 'due' || outcome === 'sent' || outcome === 'failed') tally[outcome] += n;
  else tally.skipped[outcome] += n;
}

function isSkipReason(value: string): value is SkipReason {
  return (SKIP_REASONS as readonly string[]).includes(value);
}

export function emptyTally(): RequestTally {
  return { requested: 0, due: 0, sent: 0, failed: 0, skipped: emptySkipCounts() };
}

export function emptySkipCounts(): Record<SkipReason, number> {
  return Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>;
}

export function batchCompletedEvent(
  progress: RequestProgress,
  tally: RequestTally,
  at: Date,
  source: string,
): CloudEvent<'VerificationBatchCompleted'> {
  return createEvent(
    'VerificationBatchCompleted',
    {
      requestId: progress.requestId,
      tenantId: progress.tenantId,
      requested: tally.requested,
      sent: tally.sent,
      failed: tally.failed,
      skipped: tally.skipped,
      completedAt: at.toISOString(),
    },
    { source, id: verificationBatchCompletedId(progress.requestId), time: at },
  );
}

/**
 * Emits the request's completion if it is complete now. Run by whoever handled the last part
 * or the last mail; only one run can insert the completion (RequestProgressStore).
 */
export async function completeIfDone(
  store: RequestProgressStore,
  requestId: string,
  cause: { at: Date; source: string },
): Promise<OutboxBatch | undefined> {
  const progress = await store.progress(requestId);
  // The cheap checks first: most calls come while parts or mails are still outstanding.
  if (!progress || progress.partsSeen < progress.partCount || progress.completedAt)
    return undefined;
  if (await store.hasDue(requestId)) return undefined;
  const tally = await store.tally(requestId);
  if (!isComplete(progress, tally)) return undefined;
  return store.markCompleted(
    requestId,
    batchCompletedEvent(progress, tally, cause.at, cause.source),
  );
}

/** The mail step's hand-off event; its id is the send's, so a repeat is recognisable. */
export function mailRequestedEvent(
  state: UserState,
  requestId: string,
  cause: { at: Date; source: string },
): CloudEvent<'VerificationMailRequested'> {
  const sendId = sendIdFor(state.tenantId, requestId, state.userId);
  return createEvent(
    'VerificationMailRequested',
    {
      tenantId: state.tenantId,
      userId: state.userId,
      requestId,
      sendId,
      email: state.email ?? '',
      ...(state.displayName ? { displayName: state.displayName } : {}),
      ...(state.locale ? { locale: state.locale } : {}),
    },
    {
      source: cause.source,
      id: deterministicEventId('VerificationMailRequested', sendId),
      time: cause.at,
    },
  );
}
