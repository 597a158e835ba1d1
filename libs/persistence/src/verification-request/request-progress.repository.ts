import type { Connection, Model } from 'mongoose';
import type { CloudEvent } from '@app/contracts';
import { type OutboxBatch, toOutboxEntry } from '@app/messaging';
import {
  addToTally,
  emptyTally,
  progressFromParts,
  type RequestProgress,
  type RequestProgressStore,
  type RequestTally,
  sendIdFor,
  type UserRequestOutcome,
} from '@app/verification';
import { MongoOutboxStore } from '../outbox/outbox-fields';
import { ignoreNamespaceExists, isDuplicateKey, onlyDuplicateKeys } from '../mongo-errors';
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
 * record, outcomes are records inserted once (and settled by _id), completion is the insert of
 * a record carrying the event. Counts are derived by counting records, never incremented.
 */
export class RequestProgressRepository implements RequestProgressStore {
  private readonly parts: Model<RequestPartDocument>;
  private readonly completions: Model<RequestCompletionDocument>;
  private readonly outcomes: Model<VerificationOutcomeDocument>;
  readonly outbox: MongoOutboxStore<RequestCompletionDocument>;

  constructor(connection: Connection) {
    this.parts = connection.model(REQUEST_PART_COLLECTION, requestPartSchema);
    this.completions = connection.model(REQUEST_COMPLETION_COLLECTION, requestCompletionSchema);
    this.outcomes = connection.model(VERIFICATION_OUTCOME_COLLECTION, verificationOutcomeSchema);
    this.outbox = new MongoOutboxStore(REQUEST_COMPLETION_COLLECTION, this.completions);
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

  async recordOutcomes(outcomes: readonly UserRequestOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
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
      if (!onlyDuplicateKeys(error)) throw error;
    }
  }

  async settle(
    outcome: UserRequestOutcome & { outcome: Exclude<UserRequestOutcome['outcome'], 'due'> },
  ): Promise<void> {
    await this.outcomes.updateOne(
      { _id: sendIdFor(outcome.tenantId, outcome.requestId, outcome.userId) },
      { $set: { outcome: outcome.outcome, final: true } },
    );
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
