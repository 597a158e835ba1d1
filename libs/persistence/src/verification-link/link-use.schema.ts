import { Schema } from 'mongoose';
import { addOutboxFields, type OutboxFields } from '../outbox/outbox-fields';

export const LINK_USE_COLLECTION = 'verification_link_uses';

/**
 * One use of a verification link. `_id` is the link's hash, so of any number of concurrent
 * POSTs only one insert succeeds, and it carries the EmailVerified in its outbox.
 */
export interface LinkUseDocument extends OutboxFields {
  _id: string;
  tenantId: string;
  userId: string;
  email: string;
  usedAt: Date;
  /** The link's own expiry: the use is kept as long as the link is. */
  linkExpiresAt: Date;
}

export const linkUseSchema = new Schema<LinkUseDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    userId: { type: String, required: true },
    email: { type: String, required: true },
    usedAt: { type: Date, required: true },
    linkExpiresAt: { type: Date, required: true },
  },
  { collection: LINK_USE_COLLECTION, versionKey: false, strict: 'throw' },
);
addOutboxFields(linkUseSchema);

// Serves an operator's "did this user use a link". (The TTL index on linkExpiresAt is made by
// the repository, from the configured retention.)
linkUseSchema.index({ tenantId: 1, userId: 1 });
