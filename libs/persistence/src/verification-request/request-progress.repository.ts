import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { Connection, Model } from 'mongoose';
import {
  type CloudEvent,
  type OutboxBatch,
  type PendingOutbox,
  toOutboxEntry,
} from '@app/contracts';
import {
  addToTally,
  emptyTally,
  type OutcomeValue,
  type PartDecisions,
  type RequestProgress,
  type RequestProgressStore,
  type SendRef,
  sendIdFor,
  sendKey,
  type Settlement,
  type StandingOutcome,
} from '@app/verification';
import { MongoOutboxStore, outboxPush } from '../outbox/outbox-fields';
import { duplicateKeyPositions, ignoreNamespaceExists, isDuplicateKey } from '../mongo-errors';
import { tenantRecordId } from '../record-ids';
import {
  COUNTED,
  emptyCounts,
  REQUEST_COLLECTION,
  REQUEST_PART_COLLECTION,
  REQUEST_USER_COLLECTION,
  type RequestDocument,
  type RequestPartDocument,
  type RequestUserDocument,
  requestPartSchema,
  requestSchema,
  requestUserSchema,
} from './verification-request.schema';
import { findByIds } from '../id-lists';

export const requestRecordId = (tenantId: string, requestId: string) =>
  tenantRecordId(tenantId, requestId);
export const requestPartId = (tenantId: string, requestId: string, index: number) =>
  tenantRecordId(tenantId, requestId, index);

/**
 * Request progress without transactions. A part is recorded once, by one insert holding its
 * users' outcomes and their counts; the mail step settles an outcome with a guarded update
 * that changes it, its counts and its events together, so nothing is counted twice or lost.
 * A request's progress is the sum of its parts, read by _id.
 */
export class RequestProgressRepository implements RequestProgressStore {
  private readonly requests: Model<RequestDocument>;
  private readonly parts: Model<RequestPartDocument>;
  private readonly users: Model<RequestUserDocument>;
  private readonly requestCollection: Collection<RequestDocument>;
  private readonly partCollection: Collection<RequestPartDocument>;
  private readonly userCollection: Collection<RequestUserDocument>;
  /** Completions: the VerificationBatchCompleted rides in the request's record. */
  readonly outbox: MongoOutboxStore<RequestDocument>;
  /** Settlements: the mail step's VerificationStatusChanged rides in the part's record. */
  readonly partsOutbox: MongoOutboxStore<RequestPartDocument>;

  constructor(connection: Connection) {
    this.requests = connection.model<RequestDocument>(REQUEST_COLLECTION, requestSchema);
    this.parts = connection.model<RequestPartDocument>(REQUEST_PART_COLLECTION, requestPartSchema);
    this.users = connection.model<RequestUserDocument>(REQUEST_USER_COLLECTION, requestUserSchema);
    this.requestCollection = this.requests.collection as unknown as Collection<RequestDocument>;
    this.partCollection = this.parts.collection as unknown as Collection<RequestPartDocument>;
    this.userCollection = this.users.collection as unknown as Collection<RequestUserDocument>;
    this.outbox = new MongoOutboxStore(REQUEST_COLLECTION, this.requests);
    this.partsOutbox = new MongoOutboxStore(REQUEST_PART_COLLECTION, this.parts);
  }

  async init(): Promise<void> {
    for (const model of [this.requests, this.parts, this.users]) {
      await model.createCollection().catch(ignoreNamespaceExists);
      await model.syncIndexes();
    }
  }

  async recordPart(decisions: PartDecisions): Promise<Map<string, StandingOutcome>> {
    const { tenantId, requestId, part } = decisions;
    await this.ensureRequest(tenantId, requestId, part.count);
    const held = await this.claimUsers(decisions);
    const outcomes = decisions.users.map((u, slot) => (held.has(slot) ? u.outcome : null));
    const counts = emptyCounts();
    for (const outcome of outcomes) {
      if (outcome === null) continue;
      counts.requested += 1;
      counts[outcome] += 1;
    }
    const _id = requestPartId(tenantId, requestId, part.index);
    try {
      await this.partCollection.insertOne({
        _id,
        tenantId,
        requestId,
        index: part.index,
        users: decisions.users.map((u) => u.userId),
        outcomes,
        counts,
        createdAt: new Date(),
        outbox: [],
      });
      return standingOf(
        decisions.users.map((u) => u.userId),
        outcomes,
      );
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    // Recorded by an earlier delivery: its outcomes stand.
    const stored = await this.partCollection.findOne(
      { _id },
      { projection: { users: 1, outcomes: 1 } },
    );
    return stored ? standingOf(stored.users, stored.outcomes) : new Map();
  }

  async findSettled(sends: readonly SendRef[]): Promise<Map<string, OutcomeValue>> {
    const settled = new Map<string, OutcomeValue>();
    if (sends.length === 0) return settled;
    const outcomes = await this.outcomesOfParts(sends);
    for (const send of sends) {
      const outcome = outcomes.get(partIdOf(send))?.[send.slot];
      if (outcome && outcome !== 'due') settled.set(sendKey(send), outcome);
    }
    return settled;
  }

  async settleMany(settlements: readonly Settlement[]): Promise<OutboxBatch> {
    if (settlements.length === 0) return this.partsOutbox.batch([]);
    const now = new Date();
    const entries = settlements.map((s) => s.events.map(toOutboxEntry));
    const ops: AnyBulkWriteOperation<RequestPartDocument>[] = settlements.map((s, i) => {
      const push = outboxPush(entries[i] ?? [], now);
      const slot = `outcomes.${s.slot}`;
      return {
        updateOne: {
          // Only while still due: of two settlements of one mail, the first one stands.
          filter: { _id: partIdOf(s), [slot]: 'due' },
          update: {
            $set: { [slot]: s.outcome },
            $inc: { 'counts.due': -1, [`counts.${s.outcome}`]: 1 },
            ...(push.$push ? { $push: push.$push } : {}),
          },
        },
      };
    });
    await this.partCollection.bulkWrite(ops, { ordered: false });
    // A bulk write does not say which guarded updates matched: the records do.
    const outcomes = await this.outcomesOfParts(settlements);
    const pending = new Map<string, PendingOutbox['entries'][number][]>();
    settlements.forEach((s, i) => {
      if (outcomes.get(partIdOf(s))?.[s.slot] !== s.outcome) return;
      pending.set(partIdOf(s), [...(pending.get(partIdOf(s)) ?? []), ...(entries[i] ?? [])]);
    });
    return this.partsOutbox.batch([...pending].map(([ownerId, e]) => ({ ownerId, entries: e })));
  }

  async progress(tenantId: string, requestId: string): Promise<RequestProgress | undefined> {
    const request = await this.requestCollection.findOne(
      { _id: requestRecordId(tenantId, requestId) },
      { projection: { partCount: 1, completedAt: 1 } },
    );
    if (!request) return undefined;
    const partIds = Array.from({ length: request.partCount }, (_, i) =>
      requestPartId(tenantId, requestId, i + 1),
    );
    const parts = await findByIds(this.partCollection, partIds, { counts: 1 });
    const tally = emptyTally();
    for (const { counts } of parts)
      for (const outcome of COUNTED)
        if (outcome !== 'requested') addToTally(tally, outcome, counts[outcome]);
    return {
      tenantId,
      requestId,
      partCount: request.partCount,
      partsSeen: parts.length,
      tally,
      completedAt: request.completedAt,
    };
  }

  async markCompleted(
    tenantId: string,
    requestId: string,
    event: CloudEvent<'VerificationBatchCompleted'>,
  ): Promise<OutboxBatch | undefined> {
    const entry = toOutboxEntry(event);
    const now = new Date();
    const _id = requestRecordId(tenantId, requestId);
    // Guarded: of any number of concurrent completions, one matches.
    const result = await this.requestCollection.updateOne(
      { _id, completedAt: null },
      { $set: { completedAt: now }, ...outboxPush([entry], now) },
    );
    if (result.matchedCount === 0) return undefined;
    return this.outbox.batch([{ ownerId: _id, entries: [entry] }]);
  }

  /** The outcome of each of these sends (by send id), for operators. */
  async outcomesOfSends(sendIds: readonly string[]): Promise<Map<string, OutcomeValue>> {
    const found = new Map<string, OutcomeValue>();
    if (sendIds.length === 0) return found;
    const users = await findByIds(this.userCollection, sendIds);
    const outcomes = await this.outcomesOfParts(users);
    for (const user of users) {
      const outcome = outcomes.get(partIdOf(user))?.[user.slot];
      if (outcome) found.set(user._id, outcome);
    }
    return found;
  }

  /** The requests most recently started, newest first. */
  async recentRequests(limit: number): Promise<{ tenantId: string; requestId: string }[]> {
    return this.requestCollection
      .find({}, { projection: { tenantId: 1, requestId: 1 }, sort: { createdAt: -1 }, limit })
      .toArray();
  }

  /** Creates the request's record on its first part; later parts find it. */
  private async ensureRequest(tenantId: string, requestId: string, partCount: number) {
    try {
      await this.requestCollection.updateOne(
        { _id: requestRecordId(tenantId, requestId) },
        {
          $setOnInsert: {
            tenantId,
            requestId,
            partCount,
            createdAt: new Date(),
            completedAt: null,
            outbox: [],
          },
        },
        { upsert: true },
      );
    } catch (error) {
      // Two first parts at once: the other one created it.
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /**
   * Claims each user of the part for it, once per request; returns the slots the part holds:
   * its new claims, and claims an earlier delivery of the same part made.
   */
  private async claimUsers(decisions: PartDecisions): Promise<Set<number>> {
    const { tenantId, requestId, part } = decisions;
    const claims: RequestUserDocument[] = decisions.users.map((u, slot) => ({
      _id: sendIdFor(tenantId, requestId, u.userId),
      tenantId,
      requestId,
      userId: u.userId,
      part: part.index,
      slot,
    }));
    const held = new Set(claims.map((c) => c.slot));
    if (claims.length === 0) return held;
    try {
      await this.userCollection.insertMany(claims, { ordered: false });
      return held;
    } catch (error) {
      const positions = duplicateKeyPositions(error);
      if (!positions) throw error;
      const taken = positions.flatMap((p) => claims[p] ?? []);
      const stored = await findByIds(
        this.userCollection,
        taken.map((c) => c._id),
        { part: 1, slot: 1 },
      );
      const holder = new Map(stored.map((s) => [s._id, s]));
      for (const claim of taken) {
        const existing = holder.get(claim._id);
        if (existing?.part !== part.index || existing.slot !== claim.slot) held.delete(claim.slot);
      }
      return held;
    }
  }

  /** The outcomes arrays of the parts these sends are in, by part _id. */
  private async outcomesOfParts(
    sends: readonly Pick<SendRef, 'tenantId' | 'requestId' | 'part'>[],
  ): Promise<Map<string, (OutcomeValue | null)[]>> {
    const ids = [...new Set(sends.map(partIdOf))];
    const parts = await findByIds(this.partCollection, ids, { outcomes: 1 });
    return new Map(parts.map((p) => [p._id, p.outcomes]));
  }
}

function partIdOf(send: Pick<SendRef, 'tenantId' | 'requestId' | 'part'>): string {
  return requestPartId(send.tenantId, send.requestId, send.part);
}

function standingOf(
  users: readonly string[],
  outcomes: readonly (OutcomeValue | null)[],
): Map<string, StandingOutcome> {
  const standing = new Map<string, StandingOutcome>();
  users.forEach((userId, slot) => {
    const outcome = outcomes[slot];
    if (outcome) standing.set(userId, { outcome, slot });
  });
  return standing;
}
