import { Schema } from 'mongoose';
import { addOutboxFields, type OutboxFields } from '../outbox/outbox-fields';

// Request progress is kept in documents that are only ever inserted: on the MongoDB stand-in
// only inserts (unique _id) are atomic under concurrency (docs/local-stack.md).

export const REQUEST_PART_COLLECTION = 'verification_request_parts';
export const REQUEST_COMPLETION_COLLECTION = 'verification_request_completions';

/** One per counted part: `_id` is "<requestId>:<part index>". */
export interface RequestPartDocument {
  _id: string;
  requestId: string;
  tenantId: string;
  partCount: number;
  users: number;
}

export const requestPartSchema = new Schema<RequestPartDocument>(
  {
    _id: { type: String, required: true },
    requestId: { type: String, required: true },
    tenantId: { type: String, required: true },
    partCount: { type: Number, required: true },
    users: { type: Number, required: true },
  },
  { collection: REQUEST_PART_COLLECTION, versionKey: false, timestamps: true },
);
// Serves progress(): the parts of one request.
requestPartSchema.index({ requestId: 1 });

/** One per completed request (`_id` = requestId), carrying its VerificationBatchCompleted. */
export interface RequestCompletionDocument extends OutboxFields {
  _id: string;
  tenantId: string;
  completedAt: Date;
}

export const requestCompletionSchema = new Schema<RequestCompletionDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    completedAt: { type: Date, required: true },
  },
  { collection: REQUEST_COMPLETION_COLLECTION, versionKey: false },
);
addOutboxFields(requestCompletionSchema);
