import type { Connection, Model } from 'mongoose';
import type { CloudEvent } from '@app/contracts';
import { type OutboxBatch, type PendingOutbox, toOutboxEntry } from '@app/messaging';
import {
  addToTally,
  emptyTally,
  progressFromParts,
  type RequestProgress,
  type RequestProgressStore,
  type OutcomeValue,
  type RequestTally,
  sendIdFor,
  type Settlement,
  type UserRequestOutcome,
} from '@app/verification';
import { MongoOutboxStore, outboxPush } from '../outbox/outbox-fields';
import { duplicateKeyPositions, ignoreNamespaceExists, isDuplicateKey } from '../mongo-errors';
import { findByIds } from '../id-lookup';
import { writeInChunks } from '../write-in-chunks';
import {
  VERIFICATION_OUTCOME_COLLECTION,
  type VerificationOutcomeDocument,
  verificationOutcomeSchema,
} from './verification-outcome.schema';
import {
  REQUEST_COMPLETION_COLLECTION,
  REQUEST_PART_COLLECTION,
  type RequestCompletionDocument,
  type RequestPartDocument,
  requestCompletionSchema,
  requestPartSchema,
} from './verification-request.schema';

/**
 * Request progress without transactions, on inserts only: a part is counted by inserting its
 * record, outcomes are records inserted once (and settled by _id, by the mail step alone), completion is the insert of
 * a record carrying the event. Counts are derived by counting records, never incremented.
 */
export class RequestProgressRepository implements RequestProgressStore {
  private readonly parts: Model<RequestPartDocument>;
  private readonly completions: Model<RequestCompletionDocument>;
  private readonly outcomes: Model<VerificationOutcomeDocument>;
  readonly outbox: MongoOutboxStore<RequestCompletionDocument>;
  /** The settlements' events (the mail step's VerificationStatusChanged). */
  readonly outcomesOutbox: MongoOutboxStore<VerificationOutcomeDocument>;

  constructor(connection: Connection) {
    this.parts = connection.model(REQUEST_PART_COLLECTION, requestPartSchema);
    this.completions = connection.model(REQUEST_COMPLETION_COLLECTION, requestCompletionSchema);
    this.outcomes = connection.model(VERIFICATION_OUTCOME_COLLECTION, verificationOutcomeSchema);
    this.outbox = new MongoOutboxStore(REQUEST_COMPLETION_COLLECTION, this.completions);
    this.outcomesOutbox = new MongoOutboxStore(VERIFICATION_OUTCOME_COLLECTION, this.outcomes);
  }

  async init(): Promise<void> {
    await this.parts.createCollection().catch(ignoreNamespaceExists);
    await this.completions.createCollection().catch(ignoreNamespaceExists);
    await this.outcomes.createCollection().catch(ignoreNamespaceExists);
    await Promise.all([
      this.parts.syncIndexes(),
      this.completions.syncIndexes(),
      this.outcomes.syncIndexes(),
    ]);
  }

  async recordOutcomes(
    outcomes: readonly UserRequestOutcome[],
  ): Promise<Map<string, OutcomeValue>> {
    const standing = new Map(outcomes.map((o) => [o.userId, o.outcome]));
    if (outcomes.length === 0) return standing;
    const docs = outcomes.map((o) => ({
      _id: sendIdFor(o.tenantId, o.requestId, o.userId),
      tenantId: o.tenantId,
      requestId: o.requestId,
      userId: o.userId,
      outcome: o.outcome,
      final: o.outcome !== 'due',
    }));
    try {
      await this.outcomes.insertMany(docs, { ordered: false, lean: true });
    } catch (error) {
      // Already recorded by an earlier delivery of the same part: the first record stands.
      const positions = duplicateKeyPositions(error);
      if (!positions) throw error;
      const recorded = await findByIds<{ userId: string; outcome: OutcomeValue }>(
        this.outcomes,
        positions.flatMap((p) => docs[p]?._id ?? []),
        { userId: 1, outcome: 1 },
      );
      for (const r of recorded) standing.set(r.userId, r.outcome);
    }
    return standing;
  }

  async settleMany(settlements: readonly Settlement[]): Promise<OutboxBatch> {
    if (settlements.length === 0) return this.outcomesOutbox.batch([]);
    const now = new Date();
    const pending: PendingOutbox[] = settlements.map((s) => ({
      ownerId: sendIdFor(s.tenantId, s.requestId, s.userId),
      entries: s.events.map(toOutboxEntry),
    }));
    const ops = settlements.map((s, i) => {
      const push = outboxPush(pending[i]?.entries ?? [], now);
      return {
        updateOne: {
          filter: { _id: pending[i]?.ownerId },
          update: {
            $set: { outcome: s.outcome, final: true, ...push.$set },
            ...(push.$push ? { $push: push.$push } : {}),
          },
          // A mail can be settled before its part's outcomes are recorded (a part redelivered
          // after a crash); the part's later insert then keeps this settled record.
          upsert: true,
        },
      };
    });
    // The decision step records every outcome before it hands a mail over, so these exist.
    await writeInChunks(ops, (chunk) => this.outcomes.bulkWrite(chunk, { ordered: false }));
    return this.outcomesOutbox.batch(pending);
  }

  async findSettled(sendIds: readonly string[]): Promise<Set<string>> {
    if (sendIds.length === 0) return new Set();
    const docs = await findByIds<{ _id: string; final: boolean }>(this.outcomes, sendIds, {
      final: 1,
    });
    return new Set(docs.filter((d) => d.final).map((d) => d._id));
  }

  async countPart(
    requestId: string,
    tenantId: string,
    part: { index: number; count: number },
    users: number,
  ): Promise<'counted' | 'already_counted'> {
    try {
      await this.parts.create({
        _id: `${requestId}:${part.index}`,
        requestId,
        tenantId,
        partCount: part.count,
        users,
      });
      return 'counted';
    } catch (error) {
      if (isDuplicateKey(error)) return 'already_counted';
      throw error;
    }
  }

  async progress(requestId: string): Promise<RequestProgress | undefined> {
    const parts = await this.parts.find({ requestId }).lean<RequestPartDocument[]>().exec();
    if (parts.length === 0) return undefined;
    const completion = await this.completions
      .findOne({ _id: requestId }, { completedAt: 1 })
      .lean<{ completedAt: Date }>()
      .exec();
    return progressFromParts(requestId, parts, completion?.completedAt ?? null);
  }

  /** The outcomes of the given sends (by send id), for operators. */
  async outcomesOf(sendIds: readonly string[]): Promise<Map<string, OutcomeValue>> {
    const docs = await findByIds<{ _id: string; outcome: OutcomeValue }>(this.outcomes, sendIds, {
      outcome: 1,
    });
    return new Map(docs.map((d) => [d._id, d.outcome]));
  }

  /** Requests by their most recently received part, newest first. */
  async recentRequestIds(limit: number): Promise<string[]> {
    // Parts, not outcomes: a few per request, so a bounded read finds many requests.
    const parts = await this.parts
      .find({}, { requestId: 1 })
      .sort({ createdAt: -1 })
      .limit(limit * 20)
      .lean<{ requestId: string }[]>()
      .exec();
    return [...new Set(parts.map((p) => p.requestId))].slice(0, limit);
  }

  async hasDue(requestId: string): Promise<boolean> {
    // Served by the {requestId, outcome} index on MongoDB; stops at the first match elsewhere.
    const due = await this.outcomes
      .findOne({ requestId, outcome: 'due' }, { _id: 1 })
      .lean<{ _id: string }>()
      .exec();
    return due !== null;
  }

  async tally(requestId: string): Promise<RequestTally> {
    // $group with $sum only: the accumulator the MongoDB stand-in supports.
    const groups = await this.outcomes.aggregate<{ _id: string; n: number }>([
      { $match: { requestId } },
      { $group: { _id: '$outcome', n: { $sum: 1 } } },
    ]);
    const tally = emptyTally();
    for (const { _id: outcome, n } of groups) addToTally(tally, outcome, n);
    return tally;
  }

  async markCompleted(
    requestId: string,
    event: CloudEvent<'VerificationBatchCompleted'>,
  ): Promise<OutboxBatch | undefined> {
    const entry = toOutboxEntry(event);
    const now = new Date();
    try {
      // The event rides in the inserted record: written exactly once, never without its event.
      await this.completions.create({
        _id: requestId,
        tenantId: event.data.tenantId,
        completedAt: now,
        outbox: [entry],
        outboxAt: now,
      });
    } catch (error) {
      if (isDuplicateKey(error)) return undefined;
      throw error;
    }
    return this.outbox.batch([{ ownerId: requestId, entries: [entry] }]);
  }
}
