import type { Collection } from 'mongodb';
import type { Connection, Model } from 'mongoose';
import type { VerificationLink, VerificationLinkStore } from '@app/verification';
import { ignoreNamespaceExists, onlyDuplicateKeys } from '../mongo-errors';
import { ensureTtlIndex } from '../ttl-index';
import { DEFAULT_LINK_RETENTION, type LinkRetention } from './link-retention';
import {
  VERIFICATION_LINK_COLLECTION,
  type VerificationLinkDocument,
  verificationLinkSchema,
} from './verification-link.schema';

/** Verification links in MongoDB: hashes only, one insert per link. */
export class VerificationLinkRepository implements VerificationLinkStore {
  private readonly model: Model<VerificationLinkDocument>;
  private readonly collection: Collection<VerificationLinkDocument>;

  constructor(
    connection: Connection,
    private readonly retention: LinkRetention = DEFAULT_LINK_RETENTION,
  ) {
    this.model = connection.model<VerificationLinkDocument>(
      VERIFICATION_LINK_COLLECTION,
      verificationLinkSchema,
    );
    this.collection = this.model.collection as unknown as Collection<VerificationLinkDocument>;
  }

  async init(): Promise<void> {
    await this.model.createCollection().catch(ignoreNamespaceExists);
    await this.model.createIndexes();
    await ensureTtlIndex(this.model, 'expiresAt', this.retention.retentionDays * 86_400);
  }

  async insertMany(links: readonly VerificationLink[]): Promise<void> {
    if (links.length === 0) return;
    try {
      await this.collection.insertMany(
        links.map(({ hash, ...rest }) => ({ _id: hash, ...rest })),
        { ordered: false },
      );
    } catch (error) {
      if (!onlyDuplicateKeys(error)) throw error;
    }
  }

  async findByHash(hash: string): Promise<VerificationLink | undefined> {
    const doc = await this.collection.findOne({ _id: hash });
    return doc ? toLink(doc) : undefined;
  }

  /** Every link a user was sent, for operators. */
  async findByUser(tenantId: string, userId: string): Promise<VerificationLink[]> {
    const docs = await this.collection.find({ tenantId, userId }).toArray();
    return docs.map(toLink);
  }
}

function toLink(doc: VerificationLinkDocument): VerificationLink {
  const { _id, tenantId, userId, email, requestId, sendId, issuedAt, expiresAt } = doc;
  return { hash: _id, tenantId, userId, email, requestId, sendId, issuedAt, expiresAt };
}
