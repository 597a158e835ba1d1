import { Schema } from 'mongoose';

export const VERIFICATION_LINK_COLLECTION = 'verification_links';

/**
 * One verification link. `_id` is the SHA-256 of its token: the page finds it by `_id`.
 * Inserted once, never rewritten.
 */
export interface VerificationLinkDocument {
  _id: string;
  tenantId: string;
  userId: string;
  email: string;
  requestId: string;
  sendId: string;
  issuedAt: Date;
  expiresAt: Date;
}

export const verificationLinkSchema = new Schema<VerificationLinkDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    userId: { type: String, required: true },
    email: { type: String, required: true },
    requestId: { type: String, required: true },
    sendId: { type: String, required: true },
    issuedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: VERIFICATION_LINK_COLLECTION, versionKey: false, strict: 'throw' },
);

// Serves an operator's "which links did this user get". (The TTL index on expiresAt is made
// by the repository, from the configured retention.)
verificationLinkSchema.index({ tenantId: 1, userId: 1 });
