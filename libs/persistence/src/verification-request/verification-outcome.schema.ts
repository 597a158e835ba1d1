import { Schema } from 'mongoose';

export const VERIFICATION_OUTCOME_COLLECTION = 'verification_outcomes';

/** What became of one user in one request. `_id` is the send id (tenant, request, user). */
export interface VerificationOutcomeDocument {
  _id: string;
  tenantId: string;
  requestId: string;
  userId: string;
  outcome: string;
  /** False only while a mail is due. */
  final: boolean;
}

export const verificationOutcomeSchema = new Schema<VerificationOutcomeDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    requestId: { type: String, required: true },
    userId: { type: String, required: true },
    outcome: { type: String, required: true },
    final: { type: Boolean, required: true },
  },
  { collection: VERIFICATION_OUTCOME_COLLECTION, versionKey: false, timestamps: true },
);

// Serves tally(): the outcomes of one request, grouped.
verificationOutcomeSchema.index({ requestId: 1, outcome: 1 });
