import { Schema } from 'mongoose';
import { addOutboxFields, type OutboxFields } from '../outbox/outbox-fields';

export const LINK_USE_COLLECTION = 'verification_link_uses';

/**
 * One use of a verification link. `_id` is the link's hash, so of any number of concurrent
 * POSTs only one insert succeeds: the stand-in's updates are not atomic, its inserts are.
 */
export interface LinkUseDocument extends OutboxFields {
  _id: string;
  tenantId: string;
  userId: string;
  email: string;
  usedAt: Date;
}

export const linkUseSchema = new Schema<LinkUseDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    userId: { type: String, required: true },
    email: { type: String, required: true },
    usedAt: { type: Date, required: true },
  },
  { collection: LINK_USE_COLLECTION, versionKey: false, strict: 'throw' },
);
addOutboxFields(linkUseSchema);

// Serves an operator's "did this user use a link".
linkUseSchema.index({ tenantId: 1, userId: 1 });
