import type { Connection, Model } from 'mongoose';
import type { VerificationLink, VerificationLinkStore } from '@app/verification';
import { ignoreNamespaceExists, onlyDuplicateKeys } from '../mongo-errors';
import {
  VERIFICATION_LINK_COLLECTION,
  type VerificationLinkDocument,
  verificationLinkSchema,
} from './verification-link.schema';

/** Verification links in MongoDB: hashes only, one insert per link. */
export class VerificationLinkRepository implements VerificationLinkStore {
  private readonly model: Model<VerificationLinkDocument>;

  constructor(connection: Connection) {
    this.model = connection.model<VerificationLinkDocument>(
      VERIFICATION_LINK_COLLECTION,
      verificationLinkSchema,
    );
  }

  async init(): Promise<void> {
    await this.model.createCollection().catch(ignoreNamespaceExists);
    await this.model.syncIndexes();
  }

  async insertMany(links: readonly VerificationLink[]): Promise<void> {
    if (links.length === 0) return;
    try {
      await this.model.insertMany(
        links.map(({ hash, ...rest }) => ({ _id: hash, ...rest })),
        { ordered: false, lean: true },
      );
    } catch (error) {
      if (!onlyDuplicateKeys(error)) throw error;
    }
  }

  async findByHash(hash: string): Promise<VerificationLink | undefined> {
    const doc = await this.model.findOne({ _id: hash }).lean<VerificationLinkDocument>().exec();
    return doc ? toLink(doc) : undefined;
  }

  /** Every link a user was sent, for operators. */
  async findByUser(tenantId: string, userId: string): Promise<VerificationLink[]> {
    const docs = await this.model.find({ tenantId, userId }).lean<VerificationLinkDocument[]>();
    return docs.map(toLink);
  }
}

function toLink(doc: VerificationLinkDocument): VerificationLink {
  const { _id, tenantId, userId, email, requestId, sendId, issuedAt, expiresAt } = doc;
  return { hash: _id, tenantId, userId, email, requestId, sendId, issuedAt, expiresAt };
}
