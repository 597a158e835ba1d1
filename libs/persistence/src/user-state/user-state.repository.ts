import type { Connection, Model } from 'mongoose';
import type { UserState, UserStateStore } from '@app/verification';
import {
  USER_STATE_COLLECTION,
  type UserStateDocument,
  userStateSchema,
} from './user-state.schema';

/** User states in MongoDB. Returns plain objects; every query carries the tenant id. */
export class UserStateRepository implements UserStateStore {
  private readonly model: Model<UserStateDocument>;

  constructor(connection: Connection) {
    this.model = connection.model<UserStateDocument>(USER_STATE_COLLECTION, userStateSchema);
  }

  /** Creates the indexes; call once at start-up so a missing index fails there. */
  async init(): Promise<void> {
    await this.model.createCollection().catch(ignoreAlreadyExists);
    await this.model.syncIndexes();
  }

  async findByUserIds(tenantId: string, userIds: readonly string[]): Promise<UserState[]> {
    if (userIds.length === 0) return [];
    const docs = await this.model
      .find({ tenantId, userId: { $in: userIds } })
      .lean<UserStateDocument[]>()
      .exec();
    return docs.map(toUserState);
  }

  async saveMany(states: readonly UserState[]): Promise<void> {
    if (states.length === 0) return;
    await this.model.bulkWrite(
      states.map((s) => ({
        updateOne: {
          filter: { tenantId: s.tenantId, userId: s.userId },
          update: {
            $set: {
              email: s.email,
              status: s.status,
              ...definedOnly({
                displayName: s.displayName,
                companyId: s.companyId,
                locale: s.locale,
              }),
            },
          },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }
}

function toUserState(doc: UserStateDocument): UserState {
  return {
    tenantId: doc.tenantId,
    userId: doc.userId,
    email: doc.email ?? null,
    status: doc.status,
    ...definedOnly({ displayName: doc.displayName, companyId: doc.companyId, locale: doc.locale }),
  };
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function ignoreAlreadyExists(error: unknown): void {
  if ((error as { code?: number }).code === 48) return; // NamespaceExists
  throw error;
}
