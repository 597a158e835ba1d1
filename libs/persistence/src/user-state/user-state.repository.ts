import type { Connection, Model } from 'mongoose';
import { toOutboxEntry, type OutboxBatch, type PendingOutbox } from '@app/messaging';
import type { LinkWrite, SentMark, StateWrite, UserState, UserStateStore } from '@app/verification';
import { findByIds, idLookupOf } from '../id-lookup';
import { MongoOutboxStore, outboxPush } from '../outbox/outbox-fields';
import { ignoreNamespaceExists } from '../mongo-errors';
import { writeInChunks } from '../write-in-chunks';
import {
  USER_STATE_COLLECTION,
  type UserStateDocument,
  userStateId,
  userStateSchema,
} from './user-state.schema';

/** User states in MongoDB. Returns plain objects; every query carries the tenant id. */
export class UserStateRepository implements UserStateStore {
  private readonly model: Model<UserStateDocument>;
  readonly outbox: MongoOutboxStore<UserStateDocument>;

  constructor(connection: Connection) {
    this.model = connection.model<UserStateDocument>(USER_STATE_COLLECTION, userStateSchema);
    this.outbox = new MongoOutboxStore(USER_STATE_COLLECTION, this.model);
  }

  /** Creates the indexes; call once at start-up so a missing index fails there. */
  async init(): Promise<void> {
    await this.model.createCollection().catch(ignoreNamespaceExists);
    await this.model.syncIndexes();
  }

  async findByUserIds(tenantId: string, userIds: readonly string[]): Promise<UserState[]> {
    // By _id, which contains the tenant: the stand-in reads single _ids without a scan.
    const ids = userIds.map((userId) => userStateId(tenantId, userId));
    const docs = await findByIds<UserStateDocument>(this.model, ids, { outbox: 0 });
    return docs.map(toUserState);
  }

  /**
   * Who has which address in a tenant (lower-cased address → user id), for rules that look
   * across users. One streamed query per call: an import asks once.
   */
  async addressOwners(tenantId: string): Promise<Map<string, string>> {
    const owners = new Map<string, string>();
    const cursor = this.model
      .find({ tenantId, email: { $ne: null } }, { userId: 1, email: 1 })
      .lean<{ userId: string; email: string }>()
      .cursor();
    for await (const doc of cursor) owners.set(doc.email.toLowerCase(), doc.userId);
    return owners;
  }

  /** Every user of a tenant in user id order, streamed: for the export. */
  async *streamTenant(tenantId: string): AsyncGenerator<UserState> {
    const cursor = this.model
      .find({ tenantId }, { outbox: 0 })
      .sort({ userId: 1 })
      .lean<UserStateDocument>()
      .cursor();
    for await (const doc of cursor) yield toUserState(doc);
  }

  /**
   * Each state and its events in one single-document update: they cannot diverge. Only fields
   * that differ from the state as read are set, so a concurrent writer's other fields survive.
   */
  async saveMany(writes: readonly StateWrite[]): Promise<OutboxBatch> {
    if (writes.length === 0) return this.outbox.batch([]);
    const now = new Date();
    const pending: PendingOutbox[] = writes.map((w) => ({
      ownerId: userStateId(w.state.tenantId, w.state.userId),
      entries: w.events.map(toOutboxEntry),
    }));
    const ops = writes.map((w, i) => {
      const { $set, $unset } = changedFields(w.before, w.state);
      const push = outboxPush(pending[i]?.entries ?? [], now);
      return {
        updateOne: {
          // _id alone (it contains the tenant): the MongoDB stand-in pushes only _id filters down.
          filter: { _id: userStateId(w.state.tenantId, w.state.userId) },
          update: {
            $set: { ...$set, ...push.$set },
            ...(push.$push ? { $push: push.$push } : {}),
            ...(Object.keys($unset).length > 0 ? { $unset } : {}),
          },
          upsert: true,
        },
      };
    });
    await writeInChunks(ops, (chunk) => this.model.bulkWrite(chunk));
    return this.outbox.batch(pending);
  }

  /**
   * Sets only the send time, by `_id` alone: the stand-in scans for any other filter, and a
   * status written here could undo a concurrent verification. `verification_sent` is derived
   * from it when read (toUserState).
   */
  async markSent(marks: readonly SentMark[]): Promise<void> {
    if (marks.length === 0) return;
    const ops = marks.map((m) => ({
      updateOne: {
        filter: { _id: userStateId(m.tenantId, m.userId) },
        update: { $max: { lastSentAt: m.at } },
      },
    }));
    await writeInChunks(ops, (chunk) => this.model.bulkWrite(chunk, { ordered: false }));
  }

  /**
   * Guarded by the address as read and "not linked", in the same single-document update as the
   * events: on MongoDB a concurrent address change or second link makes it match nothing.
   */
  async markLinked(link: LinkWrite): Promise<OutboxBatch | undefined> {
    const _id = userStateId(link.tenantId, link.userId);
    const entries = link.events.map(toOutboxEntry);
    const push = outboxPush(entries, link.linkedAt);
    const update = {
      $set: {
        status: 'linked',
        verifiedAt: link.verifiedAt,
        linkedAt: link.linkedAt,
        ...push.$set,
      },
      ...(push.$push ? { $push: push.$push } : {}),
    };
    const guard = { email: link.email, status: { $ne: 'linked' } };
    if ((await idLookupOf(this.model.db)) === 'in') {
      const result = await this.model.updateOne({ _id, ...guard }, update).exec();
      if (result.matchedCount === 0) return undefined;
    } else if (!(await this.linkByIdOnStandIn(_id, link.email, update))) return undefined;
    return this.outbox.batch([{ ownerId: _id, entries }]);
  }

  /**
   * The stand-in decodes the whole collection for any filter but `{_id}`: the guarded update
   * took 35 ms per link at 2,500 users and 190 ms after 1,500 links (npm run bench, link). So
   * the guard is checked on a fresh read and the write goes by `_id`. Not atomic; the stand-in's
   * guarded updates are not atomic either (docs/local-stack.md).
   */
  private async linkByIdOnStandIn(_id: string, email: string, update: object): Promise<boolean> {
    const [current] = await findByIds<{ email: string | null; status: string }>(this.model, [_id], {
      email: 1,
      status: 1,
    });
    if (!current || current.email !== email || current.status === 'linked') return false;
    await this.model.updateOne({ _id }, update).exec();
    return true;
  }
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
    }),
  };
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
