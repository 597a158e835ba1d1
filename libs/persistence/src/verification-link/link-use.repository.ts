import type { Connection, Model } from 'mongoose';
import type { AnyCloudEvent } from '@app/contracts';
import { toOutboxEntry, type OutboxBatch } from '@app/messaging';
import type { LinkUse, LinkUseStore } from '@app/verification';
import { isDuplicateKey, ignoreNamespaceExists } from '../mongo-errors';
import { MongoOutboxStore } from '../outbox/outbox-fields';
import { LINK_USE_COLLECTION, type LinkUseDocument, linkUseSchema } from './link-use.schema';

/** Uses of verification links: one insert per link, carrying its EmailVerified. */
export class LinkUseRepository implements LinkUseStore {
  private readonly model: Model<LinkUseDocument>;
  readonly outbox: MongoOutboxStore<LinkUseDocument>;

  constructor(connection: Connection) {
    this.model = connection.model<LinkUseDocument>(LINK_USE_COLLECTION, linkUseSchema);
    this.outbox = new MongoOutboxStore(LINK_USE_COLLECTION, this.model);
  }

  async init(): Promise<void> {
    await this.model.createCollection().catch(ignoreNamespaceExists);
    await this.model.syncIndexes();
  }

  async findByHash(hash: string): Promise<LinkUse | undefined> {
    const doc = await this.model
      .findOne({ _id: hash }, { outbox: 0 })
      .lean<LinkUseDocument>()
      .exec();
    if (!doc) return undefined;
    const { _id, tenantId, userId, email, usedAt } = doc;
    return { hash: _id, tenantId, userId, email, usedAt };
  }

  /** Every use of a user's links, for operators. */
  async findByUser(tenantId: string, userId: string): Promise<LinkUse[]> {
    const docs = await this.model
      .find({ tenantId, userId }, { outbox: 0 })
      .lean<LinkUseDocument[]>()
      .exec();
    return docs.map(({ _id, tenantId: t, userId: u, email, usedAt }) => ({
      hash: _id,
      tenantId: t,
      userId: u,
      email,
      usedAt,
    }));
  }

  async insert(use: LinkUse, events: readonly AnyCloudEvent[]): Promise<OutboxBatch | undefined> {
    const entries = events.map(toOutboxEntry);
    const { hash, ...rest } = use;
    try {
      await this.model.create({ _id: hash, ...rest, outbox: entries, outboxAt: use.usedAt });
    } catch (error) {
      if (isDuplicateKey(error)) return undefined;
      throw error;
    }
    return this.outbox.batch([{ ownerId: hash, entries }]);
  }
}
