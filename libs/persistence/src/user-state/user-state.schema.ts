import { Schema } from 'mongoose';
import { LOCALES, VERIFICATION_STATUSES } from '@app/contracts';

export const USER_STATE_COLLECTION = 'user_states';

/** Stored shape of a user state; the repository maps it to the domain's plain object. */
export interface UserStateDocument {
  tenantId: string;
  userId: string;
  email: string | null;
  status: (typeof VERIFICATION_STATUSES)[number];
  displayName?: string;
  companyId?: string;
  locale?: (typeof LOCALES)[number];
  createdAt: Date;
  updatedAt: Date;
}

export const userStateSchema = new Schema<UserStateDocument>(
  {
    tenantId: { type: String, required: true },
    userId: { type: String, required: true },
    email: { type: String, default: null },
    status: { type: String, required: true, enum: VERIFICATION_STATUSES },
    displayName: String,
    companyId: String,
    locale: { type: String, enum: LOCALES },
  },
  { collection: USER_STATE_COLLECTION, timestamps: true, versionKey: false, strict: 'throw' },
);

// Serves every lookup of a user (findByUserIds, the upserts of saveMany) and makes a
// second document for one user impossible.
userStateSchema.index({ tenantId: 1, userId: 1 }, { unique: true });
