import { Schema } from 'mongoose';
import { SKIP_REASONS } from '@app/contracts';
import type { OutcomeValue } from '@app/verification';
import { addOutboxFields, type OutboxFields } from '../outbox/outbox-fields';

// A request is one record, its parts are records of their own, and each user of a request
// belongs to exactly one part. Every record belongs to one tenant: its _id starts with it.

export const REQUEST_COLLECTION = 'verification_requests';
export const REQUEST_PART_COLLECTION = 'verification_request_parts';
export const REQUEST_USER_COLLECTION = 'verification_request_users';

/** Every outcome a part counts, and `requested` (all of its users). */
export const COUNTED = ['requested', 'due', 'sent', 'failed', ...SKIP_REASONS] as const;
export type PartCounts = Record<(typeof COUNTED)[number], number>;

/**
 * One request (`_id` = tenantRecordId(tenant, requestId)), created by its first part. Its
 * completion is a guarded update (`completedAt: null` → the time), carrying the
 * VerificationBatchCompleted in the same write.
 */
export interface RequestDocument extends OutboxFields {
  _id: string;
  tenantId: string;
  requestId: string;
  /** As the first part to arrive said. */
  partCount: number;
  createdAt: Date;
  completedAt: Date | null;
}

/**
 * One part (`_id` = tenantRecordId(tenant, requestId, index)): its users by slot, each user's
 * outcome, and the counts of those outcomes. A settlement changes an outcome and its counts in
 * one guarded update, with its events in the same document's outbox.
 */
export interface RequestPartDocument extends OutboxFields {
  _id: string;
  tenantId: string;
  requestId: string;
  index: number;
  /** The users of the part in their order (after duplicates within the part). */
  users: string[];
  /** By slot: the user's outcome, or null for a user another part of the request holds. */
  outcomes: (OutcomeValue | null)[];
  counts: PartCounts;
  createdAt: Date;
}

/**
 * Which part holds a user of a request (`_id` = the send id). Inserted once: a user listed by
 * two parts belongs to the first one recorded.
 */
export interface RequestUserDocument {
  _id: string;
  tenantId: string;
  requestId: string;
  userId: string;
  part: number;
  slot: number;
}

export const requestSchema = new Schema<RequestDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    requestId: { type: String, required: true },
    partCount: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    completedAt: { type: Date, default: null },
  },
  { collection: REQUEST_COLLECTION, versionKey: false, strict: 'throw' },
);
addOutboxFields(requestSchema);
// Serves the operators' list of recent requests (on MongoDB; the local server scans).
requestSchema.index({ createdAt: -1 });

export const requestPartSchema = new Schema<RequestPartDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    requestId: { type: String, required: true },
    index: { type: Number, required: true },
    users: { type: [String], required: true },
    outcomes: { type: [String], required: true },
    counts: new Schema(
      Object.fromEntries(COUNTED.map((c) => [c, { type: Number, required: true }])),
      { _id: false },
    ),
    createdAt: { type: Date, required: true },
  },
  { collection: REQUEST_PART_COLLECTION, versionKey: false, strict: 'throw' },
);
addOutboxFields(requestPartSchema);

export const requestUserSchema = new Schema<RequestUserDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    requestId: { type: String, required: true },
    userId: { type: String, required: true },
    part: { type: Number, required: true },
    slot: { type: Number, required: true },
  },
  { collection: REQUEST_USER_COLLECTION, versionKey: false, strict: 'throw' },
);

/** All counts zero. */
export function emptyCounts(): PartCounts {
  return Object.fromEntries(COUNTED.map((c) => [c, 0])) as PartCounts;
}
