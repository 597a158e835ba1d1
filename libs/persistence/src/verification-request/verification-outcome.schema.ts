import { Schema } from 'mongoose';
import { addOutboxFields, type OutboxFields } from '../outbox/outbox-fields';

export const VERIFICATION_OUTCOME_COLLECTION = 'verification_outcomes';

/**
 * What became of one user in one request. `_id` is the send id (tenant, request, user).
 * Inserted by the decision step, settled by the mail step with the events of the settlement in
 * its outbox: no other step writes it, so on the stand-in no concurrent update can undo another.
 */
export interface VerificationOutcomeDocument extends OutboxFields {
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

addOutboxFields(verificationOutcomeSchema);

// Serves tally(): the outcomes of one request, grouped.
verificationOutcomeSchema.index({ requestId: 1, outcome: 1 });
