import type { Collection } from 'mongodb';
import type { Connection, Model } from 'mongoose';
import { type AnyCloudEvent, toOutboxEntry, type OutboxBatch } from '@app/contracts';
import type { LinkUse, LinkUseStore } from '@app/verification';
import { isDuplicateKey, ignoreNamespaceExists } from '../mongo-errors';
import { MongoOutboxStore, storedEntries } from '../outbox/outbox-fields';
import { ensureTtlIndex } from '../ttl-index';
import { DEFAULT_LINK_RETENTION, type LinkRetention } from './link-retention';
import { LINK_USE_COLLECTION, type LinkUseDocument, linkUseSchema } from './link-use.schema';

/** Uses of verification links: one insert per link, carrying its EmailVerified. */
export class LinkUseRepository implements LinkUseStore {
  private readonly model: Model<LinkUseDocument>;
  private readonly collection: Collection<LinkUseDocument>;
  readonly outbox: MongoOutboxStore<LinkUseDocument>;

  constructor(
    connection: Connection,
    private readonly retention: LinkRetention = DEFAULT_LINK_RETENTION,
  ) {
    this.model = connection.model<LinkUseDocument>(LINK_USE_COLLECTION, linkUseSchema);
    this.collection = this.model.collection as unknown as Collection<LinkUseDocument>;
    this.outbox = new MongoOutboxStore(LINK_USE_COLLECTION, this.model);
  }

  async init(): Promise<void> {
    await this.model.createCollection().catch(ignoreNamespaceExists);
    await this.model.createIndexes();
    await ensureTtlIndex(this.model, 'linkExpiresAt', this.retention.retentionDays * 86_400);
  }

  async findByHash(hash: string): Promise<LinkUse | undefined> {
    const doc = await this.collection.findOne({ _id: hash }, { projection: { outbox: 0 } });
    return doc ? toUse(doc) : undefined;
  }

  /** Every use of a user's links, for operators. */
  async findByUser(tenantId: string, userId: string): Promise<LinkUse[]> {
    const docs = await this.collection
      .find({ tenantId, userId }, { projection: { outbox: 0 } })
      .toArray();
    return docs.map(toUse);
  }

  async insert(use: LinkUse, events: readonly AnyCloudEvent[]): Promise<OutboxBatch | undefined> {
    const entries = events.map(toOutboxEntry);
    const { hash, ...rest } = use;
    try {
      await this.collection.insertOne({
        _id: hash,
        ...rest,
        outbox: storedEntries(entries, use.usedAt),
      });
    } catch (error) {
      if (isDuplicateKey(error)) return undefined;
      throw error;
    }
    return this.outbox.batch([{ ownerId: hash, entries }]);
  }
}

function toUse(doc: LinkUseDocument): LinkUse {
  const { _id, tenantId, userId, email, usedAt, linkExpiresAt } = doc;
  return { hash: _id, tenantId, userId, email, usedAt, linkExpiresAt };
}
