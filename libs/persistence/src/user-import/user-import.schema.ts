import { Schema } from 'mongoose';
import { IMPORT_REJECTION_REASONS, type UserImportCompletedData } from '@app/contracts';
import type { RowOutcome } from '@app/user-import';
import { addOutboxFields, type OutboxFields } from '../outbox/outbox-fields';

export const IMPORT_COLLECTION = 'user_imports';
export const IMPORT_BATCH_COLLECTION = 'user_import_batches';

export type BatchCounts = Record<RowOutcome['kind'], number>;

/**
 * One import of one tenant (`_id` = tenantRecordId(tenant, importId)): the file it reads, its
 * progress counted once per batch, and its end. Started by the first delivery that read the
 * file; a failed import (a file that could not be read) is created by its completion alone.
 */
export interface ImportDocument extends OutboxFields {
  _id: string;
  tenantId: string;
  importId: string;
  /** SHA-256 of the file; absent for an import that failed before its file was read. */
  fileSha256?: string;
  rows?: number;
  /** Rows per batch, fixed when the import started: every delivery cuts the file the same way. */
  batchSize?: number;
  counts: BatchCounts;
  /** The batches counted in `counts`: a batch is counted once, whoever records it. */
  batches: number[];
  startedAt: Date;
  completedAt: Date | null;
  /** Its UserImportCompleted, for operators to read back. */
  result?: UserImportCompletedData;
}

/** One batch's outcomes (`_id` = tenantRecordId(tenant, importId, batch)), inserted once. */
export interface ImportBatchDocument {
  _id: string;
  tenantId: string;
  importId: string;
  fileSha256: string;
  outcomes: { kind: RowOutcome['kind']; email?: string; reason?: string }[];
  createdAt: Date;
}

const countsSchema = new Schema<BatchCounts>(
  {
    updated: { type: Number, required: true },
    unchanged: { type: Number, required: true },
    rejected: { type: Number, required: true },
  },
  { _id: false },
);

export const importSchema = new Schema<ImportDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    importId: { type: String, required: true },
    fileSha256: String,
    rows: Number,
    batchSize: Number,
    counts: { type: countsSchema, required: true },
    batches: { type: [Number], required: true },
    startedAt: { type: Date, required: true },
    completedAt: { type: Date, default: null },
    result: Schema.Types.Mixed,
  },
  { collection: IMPORT_COLLECTION, versionKey: false, strict: 'throw' },
);
addOutboxFields(importSchema);
// Serves the operators' list of recent imports (on MongoDB; the local server scans).
importSchema.index({ startedAt: -1 });

export const importBatchSchema = new Schema<ImportBatchDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    importId: { type: String, required: true },
    fileSha256: { type: String, required: true },
    outcomes: [
      new Schema(
        {
          kind: { type: String, required: true, enum: ['updated', 'unchanged', 'rejected'] },
          email: String,
          reason: { type: String, enum: IMPORT_REJECTION_REASONS },
        },
        { _id: false },
      ),
    ],
    createdAt: { type: Date, required: true },
  },
  { collection: IMPORT_BATCH_COLLECTION, versionKey: false, strict: 'throw' },
);
