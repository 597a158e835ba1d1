import type { Connection, Model } from 'mongoose';
import { toOutboxEntry, type OutboxBatch, type PendingOutbox } from '@app/messaging';
import type { StateWrite, UserState, UserStateStore } from '@app/verification';
import { MongoOutboxStore, outboxPush } from '../outbox/outbox-fields';
import { ignoreNamespaceExists } from '../mongo-errors';
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
    if (userIds.length === 0) return [];
    const docs = await this.model
      .find({ tenantId, userId: { $in: userIds } }, { outbox: 0 })
      .lean<UserStateDocument[]>()
      .exec();
    return docs.map(toUserState);
  }

  /** Each state and its events in one single-document update: they cannot diverge. */
  async saveMany(writes: readonly StateWrite[]): Promise<OutboxBatch> {
    if (writes.length === 0) return this.outbox.batch([]);
    const now = new Date();
    const pending: PendingOutbox[] = writes.map((w) => ({
      ownerId: userStateId(w.state.tenantId, w.state.userId),
      entries: w.events.map(toOutboxEntry),
    }));
    await this.model.bulkWrite(
      writes.map((w, i) => {
        const { state } = w;
        const push = outboxPush(pending[i]?.entries ?? [], now);
        return {
          updateOne: {
            // _id alone (it contains the tenant): the MongoDB stand-in pushes only _id filters down.
            filter: { _id: userStateId(state.tenantId, state.userId) },
            update: {
              $set: {
                tenantId: state.tenantId,
                userId: state.userId,
                tokens: state.tokens ?? [],
                email: state.email,
                status: state.status,
                ...definedOnly({
                  displayName: state.displayName,
                  companyId: state.companyId,
                  locale: state.locale,
                  lastSentAt: state.lastSentAt,
                }),
                ...push.$set,
              },
              ...(push.$push ? { $push: push.$push } : {}),
              // The domain's state is the whole truth: a cleared send time is removed.
              ...(state.lastSentAt ? {} : { $unset: { lastSentAt: '' } }),
            },
            upsert: true,
          },
        };
      }),
    );
    return this.outbox.batch(pending);
  }
}

function toUserState(doc: UserStateDocument): UserState {
  return {
    tenantId: doc.tenantId,
    userId: doc.userId,
    email: doc.email ?? null,
    status: doc.status,
    ...definedOnly({
      displayName: doc.displayName,
      companyId: doc.companyId,
      locale: doc.locale,
      lastSentAt: doc.lastSentAt,
    }),
    tokens: (doc.tokens ?? []).map((t) => ({
      hash: t.hash,
      email: t.email,
      expiresAt: t.expiresAt,
    })),
  };
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
