import { Schema } from 'mongoose';
import { LOCALES, VERIFICATION_STATUSES } from '@app/contracts';
import { addOutboxFields, type OutboxFields } from '../outbox/outbox-fields';
import { tenantRecordId } from '../record-ids';

export const USER_STATE_COLLECTION = 'user_states';

/** Stored shape of a user state; the repository maps it to the domain's plain object. */
export interface UserStateDocument extends OutboxFields {
  /** userStateId(tenantId, userId): known before the write, so the outbox owner is too. */
  _id: string;
  tenantId: string;
  userId: string;
  email: string | null;
  status: (typeof VERIFICATION_STATUSES)[number];
  displayName?: string;
  companyId?: string;
  locale?: (typeof LOCALES)[number];
  lastSentAt?: Date;
  addressSetAt?: Date;
  verifiedAt?: Date;
  linkedAt?: Date;
  /** Incremented by every change of the state: writers guard on the version they read. */
  version?: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Unambiguous for any ids: ["tenant","user"]. */
export function userStateId(tenantId: string, userId: string): string {
  return tenantRecordId(tenantId, userId);
}

export const userStateSchema = new Schema<UserStateDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    userId: { type: String, required: true },
    email: { type: String, default: null },
    status: { type: String, required: true, enum: VERIFICATION_STATUSES },
    displayName: String,
    companyId: String,
    locale: { type: String, enum: LOCALES },
    lastSentAt: Date,
    addressSetAt: Date,
    verifiedAt: Date,
    linkedAt: Date,
    version: Number,
  },
  { collection: USER_STATE_COLLECTION, timestamps: true, versionKey: false, strict: 'throw' },
);
addOutboxFields(userStateSchema);

// Serves a tenant's users in user id order (streamTenant, the export); one document per user.
userStateSchema.index({ tenantId: 1, userId: 1 }, { unique: true });
// Serves addressOwners on MongoDB (the local server builds no non-unique index: it scans).
userStateSchema.index({ tenantId: 1, email: 1 });
