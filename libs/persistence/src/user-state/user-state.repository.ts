import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { Connection, Model } from 'mongoose';
import { toOutboxEntry, type PendingOutbox } from '@app/contracts';
import type {
  LinkWrite,
  SavedStates,
  SentMark,
  StateWrite,
  UserState,
  UserStateStore,
} from '@app/verification';
import { MongoOutboxStore, outboxPush } from '../outbox/outbox-fields';
import { duplicateKeyPositions, ignoreNamespaceExists } from '../mongo-errors';
import {
  USER_STATE_COLLECTION,
  type UserStateDocument,
  userStateId,
  userStateSchema,
} from './user-state.schema';
import { findByIds } from '../id-lists';

/** User states in MongoDB. Returns plain objects; every query carries the tenant id. */
export class UserStateRepository implements UserStateStore {
  private readonly model: Model<UserStateDocument>;
  /** The raw collection: bulk writes of plain updates, without mongoose's per-operation casting. */
  private readonly collection: Collection<UserStateDocument>;
  readonly outbox: MongoOutboxStore<UserStateDocument>;

  constructor(connection: Connection) {
    this.model = connection.model<UserStateDocument>(USER_STATE_COLLECTION, userStateSchema);
    this.collection = this.model.collection as unknown as Collection<UserStateDocument>;
    this.outbox = new MongoOutboxStore(USER_STATE_COLLECTION, this.model);
  }

  /** Creates the indexes; call once at start-up so a missing index fails there. */
  async init(): Promise<void> {
    await this.model.createCollection().catch(ignoreNamespaceExists);
    await this.model.syncIndexes();
  }

  async findByUserIds(tenantId: string, userIds: readonly string[]): Promise<UserState[]> {
    if (userIds.length === 0) return [];
    // By _id, which contains the tenant: one query from the _id index.
    const ids = userIds.map((userId) => userStateId(tenantId, userId));
    const docs = await findByIds(this.collection, ids, { outbox: 0 });
    return docs.map(toUserState);
  }

  /**
   * Who has which address in a tenant (lower-cased address → user id), for rules that look
   * across users. One streamed query per call: an import asks once.
   */
  async addressOwners(tenantId: string): Promise<Map<string, string>> {
    const owners = new Map<string, string>();
    const cursor = this.collection.find(
      { tenantId, email: { $ne: null } },
      { projection: { userId: 1, email: 1 } },
    );
    for await (const doc of cursor) if (doc.email) owners.set(doc.email.toLowerCase(), doc.userId);
    return owners;
  }

  /** Every user of a tenant in user id order, streamed: for the export. */
  async *streamTenant(tenantId: string): AsyncGenerator<UserState> {
    const cursor = this.collection
      .find({ tenantId }, { projection: { outbox: 0 } })
      .sort({ userId: 1 });
    for await (const doc of cursor) yield toUserState(doc);
  }

  /**
   * Each state and its events in one single-document update, guarded by the version it was
   * read at: they cannot diverge, and a state another writer changed meanwhile is not
   * overwritten. Only fields that differ from the state as read are set. One command.
   */
  async saveMany(writes: readonly StateWrite[]): Promise<SavedStates> {
    if (writes.length === 0) return { published: this.outbox.batch([]), conflicts: [] };
    const now = new Date();
    const pending: PendingOutbox[] = writes.map((w) => ({
      ownerId: userStateId(w.state.tenantId, w.state.userId),
      entries: w.events.map(toOutboxEntry),
    }));
    const ops = writes.map((w, i) => stateUpdate(w, pending[i]!, now));
    const lost = await this.writeGuarded(ops);
    return {
      published: this.outbox.batch(pending.filter((_, i) => !lost.has(i))),
      conflicts: writes.filter((_, i) => lost.has(i)),
    };
  }

  /**
   * Sets only the send time, and only while the user still has the address the mail went to.
   * `verification_sent` is derived from it when read (toUserState); a status written here could
   * undo a concurrent verification.
   */
  async markSent(marks: readonly SentMark[]): Promise<void> {
    if (marks.length === 0) return;
    await this.collection.bulkWrite(
      marks.map((m) => ({
        updateOne: {
          filter: { _id: userStateId(m.tenantId, m.userId), email: m.email },
          update: { $max: { lastSentAt: m.at } },
        },
      })),
      { ordered: false },
    );
  }

  /**
   * Guarded by the address as read and "not linked", in the same single-document update as the
   * events: a concurrent address change or a second link makes it match nothing.
   */
  async markLinked(link: LinkWrite) {
    const _id = userStateId(link.tenantId, link.userId);
    const entries = link.events.map(toOutboxEntry);
    const push = outboxPush(entries, link.linkedAt);
    const result = await this.collection.updateOne(
      { _id, email: link.email, status: { $ne: 'linked' } },
      {
        $set: {
          status: 'linked',
          verifiedAt: link.verifiedAt,
          linkedAt: link.linkedAt,
        },
        $inc: { version: 1 },
        ...(push.$push ? { $push: push.$push } : {}),
      },
    );
    if (result.matchedCount === 0) return undefined;
    return this.outbox.batch([{ ownerId: _id, entries }]);
  }

  /**
   * Runs guarded upserts in one unordered command; returns the positions that did not apply.
   * A guard that no longer holds makes the upsert insert a second document with the same _id,
   * which the server refuses as a duplicate key: that refusal is how a lost race shows.
   */
  private async writeGuarded(
    ops: AnyBulkWriteOperation<UserStateDocument>[],
  ): Promise<Set<number>> {
    try {
      await this.collection.bulkWrite(ops, { ordered: false });
      return new Set();
    } catch (error) {
      const positions = duplicateKeyPositions(error);
      if (!positions) throw error;
      return new Set(positions);
    }
  }
}

function stateUpdate(
  write: StateWrite,
  pending: PendingOutbox,
  now: Date,
): AnyBulkWriteOperation<UserStateDocument> {
  const { $set, $unset } = changedFields(write.before, write.state);
  $set.updatedAt = now;
  const push = outboxPush(pending.entries, now);
  const version = write.before?.version;
  return {
    updateOne: {
      filter: {
        _id: pending.ownerId,
        // Never stored, or stored before versions were kept: no version yet.
        version: version === undefined ? { $exists: false } : version,
      },
      update: {
        $set,
        $setOnInsert: { createdAt: now },
        $inc: { version: 1 },
        ...(push.$push ? { $push: push.$push } : {}),
        ...(Object.keys($unset).length > 0 ? { $unset } : {}),
      },
      upsert: true,
    },
  };
}

const STATE_FIELDS = [
  'email',
  'status',
  'displayName',
  'companyId',
  'locale',
  'lastSentAt',
  'addressSetAt',
  'verifiedAt',
  'linkedAt',
] as const satisfies readonly (keyof UserState)[];

/** The update for a state: identity always, other fields when they differ from `before`. */
function changedFields(
  before: UserState | undefined,
  after: UserState,
): { $set: Record<string, unknown>; $unset: Record<string, ''> } {
  const $set: Record<string, unknown> = { tenantId: after.tenantId, userId: after.userId };
  const $unset: Record<string, ''> = {};
  for (const field of STATE_FIELDS) {
    const value = after[field];
    if (before && sameValue(before[field], value)) continue;
    if (value === undefined) {
      if (before) $unset[field] = '';
    } else $set[field] = value;
  }
  return { $set, $unset };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

function toUserState(doc: UserStateDocument): UserState {
  return {
    tenantId: doc.tenantId,
    userId: doc.userId,
    email: doc.email ?? null,
    // A mail accepted for the current address (its time is cleared when the address changes).
    status: doc.status === 'unverified' && doc.lastSentAt ? 'verification_sent' : doc.status,
    ...definedOnly({
      displayName: doc.displayName,
      companyId: doc.companyId,
      locale: doc.locale,
      lastSentAt: doc.lastSentAt,
      addressSetAt: doc.addressSetAt,
      verifiedAt: doc.verifiedAt,
      linkedAt: doc.linkedAt,
      version: doc.version,
    }),
  };
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
