import { v5 as uuidv5 } from 'uuid';
import {
  type AnyCloudEvent,
  type CloudEvent,
  createEvent,
  EVENT_ID_NAMESPACE,
  SKIP_REASONS,
  type SkipReason,
  verificationBatchCompletedId,
  type OutboxBatch,
} from '@app/contracts';

/** What became of one user in one request; `due` until the mail step settles it. */
export type OutcomeValue = SkipReason | 'due' | 'sent' | 'failed';

/** One part of a request as the decision step decided it. */
export interface PartDecisions {
  tenantId: string;
  requestId: string;
  part: { index: number; count: number };
  /** The part's users in their order, each once, with the outcome decided for each. */
  users: readonly { userId: string; outcome: OutcomeValue }[];
}

/** Where one user of a part stands: the outcome that counts and the user's place in the part. */
export interface StandingOutcome {
  outcome: OutcomeValue;
  /** 0-based position in the part's record; the mail step settles the mail by it. */
  slot: number;
}

/** Names one due mail: the request part that holds the user, and the user's place in it. */
export interface SendRef {
  tenantId: string;
  requestId: string;
  part: number;
  slot: number;
}

/** The mail step's final word on one due mail, with the events it implies (saved together). */
export interface Settlement extends SendRef {
  userId: string;
  outcome: Exclude<OutcomeValue, 'due'>;
  events: AnyCloudEvent[];
}

/** The counts of a request: the sums of its parts' counters. */
export interface RequestTally {
  requested: number;
  due: number;
  sent: number;
  failed: number;
  skipped: Record<SkipReason, number>;
}

export interface RequestProgress {
  tenantId: string;
  requestId: string;
  partCount: number;
  partsSeen: number;
  tally: RequestTally;
  completedAt: Date | null;
}

/**
 * Where request progress is kept; the persistence library implements it without transactions
 * (docs/design/verification-mails.md, "Counting once"): each part is one record holding its
 * users' outcomes and their counters, so a settlement changes an outcome and its count in one
 * atomic update.
 */
export interface RequestProgressStore {
  /**
   * Records a part once, with its users' outcomes and their counts. A user already held by
   * another part of the same request stays there and is left out of this one. Returns, by user
   * id, where each user this part holds stands: what a redelivery gets is the first recording.
   */
  recordPart(decisions: PartDecisions): Promise<Map<string, StandingOutcome>>;
  /** Of these sends, the ones already settled, by sendKey, with their outcome. */
  findSettled(sends: readonly SendRef[]): Promise<Map<string, OutcomeValue>>;
  /**
   * Settles due mails: sent, failed, or a skip found when one was about to be sent. Each
   * outcome, its count and its events in one guarded update: a mail settled already is left
   * as it is. Returns the events to publish.
   */
  settleMany(settlements: readonly Settlement[]): Promise<OutboxBatch>;
  progress(tenantId: string, requestId: string): Promise<RequestProgress | undefined>;
  /**
   * Saves the completion event in the request's record unless a completion is saved already
   * (a compare-and-set on `completedAt`); undefined when one was. Decides nothing: whether
   * the request is complete is RequestCompletion's call.
   */
  markCompleted(
    tenantId: string,
    requestId: string,
    event: CloudEvent<'VerificationBatchCompleted'>,
  ): Promise<OutboxBatch | undefined>;
}

/** A key for one send in maps: the part and the slot. */
export function sendKey(send: SendRef): string {
  return JSON.stringify([send.tenantId, send.requestId, send.part, send.slot]);
}

// Project namespace + "send": the id of one user's mail in one request.
const SEND_NAMESPACE = uuidv5('send', EVENT_ID_NAMESPACE);

/** Deterministic: redelivering a part cannot create a second send for the same user. */
export function sendIdFor(tenantId: string, requestId: string, userId: string): string {
  return uuidv5([tenantId, requestId, userId].join('\u0000'), SEND_NAMESPACE);
}

/** All parts arrived and every user of them has a final outcome. */
export function isComplete(progress: RequestProgress): boolean {
  return (
    progress.completedAt === null &&
    progress.partsSeen === progress.partCount &&
    progress.tally.due === 0
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

export function isSkipReason(value: string): value is SkipReason {
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
  at: Date,
  source: string,
): CloudEvent<'VerificationBatchCompleted'> {
  const { tally } = progress;
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
    {
      source,
      id: verificationBatchCompletedId(progress.tenantId, progress.requestId),
      time: at,
    },
  );
}

/**
 * The one owner of a request's completion (R6): the request is complete once every part has
 * arrived and no mail is still due, and then VerificationBatchCompleted is published once.
 * Whoever handled the last part or the last mail asks; the store only keeps what it is told.
 */
export class RequestCompletion {
  constructor(private readonly store: Pick<RequestProgressStore, 'progress' | 'markCompleted'>) {}

  /** The completion to publish when this request is complete now; undefined otherwise. */
  async completeIfDone(
    request: { tenantId: string; requestId: string },
    cause: { at: Date; source: string },
  ): Promise<OutboxBatch | undefined> {
    const progress = await this.store.progress(request.tenantId, request.requestId);
    if (!progress || !isComplete(progress)) return undefined;
    // Two last settlements at once both find the request complete: the first save stands,
    // the other gets undefined and publishes nothing.
    return this.store.markCompleted(
      request.tenantId,
      request.requestId,
      batchCompletedEvent(progress, cause.at, cause.source),
    );
  }
}
