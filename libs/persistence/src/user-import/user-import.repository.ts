import { type Connection, type Model, Schema } from 'mongoose';
import {
  IMPORT_REJECTION_REASONS,
  type AnyCloudEvent,
  type CloudEvent,
  type UserImportCompletedData,
} from '@app/contracts';
import { toOutboxEntry, type OutboxBatch } from '@app/messaging';
import type { ImportProgressStore, ImportScope, RowOutcome } from '@app/user-import';
import type { ImportRecords } from '@app/operations';
import { ignoreNamespaceExists, isDuplicateKey } from '../mongo-errors';
import { addOutboxFields, MongoOutboxStore, type OutboxFields } from '../outbox/outbox-fields';

export const IMPORT_BATCH_COLLECTION = 'user_import_batches';
export const IMPORT_COMPLETION_COLLECTION = 'user_import_completions';

export type BatchCounts = Record<RowOutcome['kind'], number>;

/**
 * One batch's outcomes, inserted before the batch is applied: a redelivery follows them. The
 * tenant, the file's row count and the batch's counts are for operators (progress without
 * reading every outcome); batches written before they were added lack them.
 */
export interface ImportBatchDocument {
  _id: string;
  importId: string;
  tenantId?: string;
  rows?: number;
  counts?: BatchCounts;
  outcomes: { kind: RowOutcome['kind']; email?: string; reason?: string }[];
  createdAt?: Date;
}

/** The import's end, once; `result` is its UserImportCompleted for operators to read back. */
export interface ImportCompletionDocument extends OutboxFields {
  _id: string;
  tenantId: string;
  completedAt: Date;
  result?: UserImportCompletedData;
}

const batchSchema = new Schema<ImportBatchDocument>(
  {
    _id: { type: String, required: true },
    importId: { type: String, required: true },
    tenantId: String,
    rows: Number,
    counts: { updated: Number, unchanged: Number, rejected: Number },
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
  },
  {
    collection: IMPORT_BATCH_COLLECTION,
    versionKey: false,
    strict: 'throw',
    timestamps: { createdAt: true, updatedAt: false },
  },
);
// Serves an import's progress and clean-up of its batches.
batchSchema.index({ importId: 1 });

const completionSchema = new Schema<ImportCompletionDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    completedAt: { type: Date, required: true },
    result: Schema.Types.Mixed,
  },
  { collection: IMPORT_COMPLETION_COLLECTION, versionKey: false, strict: 'throw' },
);
addOutboxFields(completionSchema);

/**
 * Imports' progress: batches and completions are inserted once (a duplicate key means "done
 * already"), the only write that is atomic under concurrency on the stand-in too.
 */
export class UserImportRepository implements ImportProgressStore {
  private readonly batches: Model<ImportBatchDocument>;
  private readonly completions: Model<ImportCompletionDocument>;
  readonly outbox: MongoOutboxStore<ImportCompletionDocument>;

  constructor(connection: Connection) {
    this.batches = connection.model<ImportBatchDocument>(IMPORT_BATCH_COLLECTION, batchSchema);
    this.completions = connection.model<ImportCompletionDocument>(
      IMPORT_COMPLETION_COLLECTION,
      completionSchema,
    );
    this.outbox = new MongoOutboxStore(IMPORT_COMPLETION_COLLECTION, this.completions);
  }

  async init(): Promise<void> {
    await this.batches.createCollection().catch(ignoreNamespaceExists);
    await this.completions.createCollection().catch(ignoreNamespaceExists);
    await Promise.all([this.batches.syncIndexes(), this.completions.syncIndexes()]);
  }

  async isCompleted(importId: string): Promise<boolean> {
    return (await this.completions.findOne({ _id: importId }, { _id: 1 }).lean().exec()) !== null;
  }

  /** What is recorded of an import so far: its batches' counts and its completion. */
  async recordsOf(importId: string): Promise<ImportRecords> {
    const [batches, completion] = await Promise.all([
      this.batches
        .find({ importId }, { outcomes: 0 })
        .lean<Omit<ImportBatchDocument, 'outcomes'>[]>()
        .exec(),
      this.completions
        .findOne({ _id: importId }, { outbox: 0 })
        .lean<ImportCompletionDocument>()
        .exec(),
    ]);
    return { batches, ...(completion ? { completion } : {}) };
  }

  /** Imports by their most recent batch or completion, newest first. */
  async recentImportIds(limit: number): Promise<string[]> {
    const [batches, completions] = await Promise.all([
      this.batches
        .find({}, { importId: 1, createdAt: 1 })
        .sort({ createdAt: -1 })
        .limit(limit * 20)
        .lean<{ importId: string; createdAt?: Date }[]>()
        .exec(),
      // Failed imports have no batches: only their completion says they happened.
      this.completions
        .find({}, { completedAt: 1 })
        .sort({ completedAt: -1 })
        .limit(limit)
        .lean<{ _id: string; completedAt: Date }[]>()
        .exec(),
    ]);
    const seen = [
      ...batches.map((b) => ({ id: b.importId, at: b.createdAt?.getTime() ?? 0 })),
      ...completions.map((c) => ({ id: c._id, at: c.completedAt.getTime() })),
    ].sort((a, b) => b.at - a.at);
    return [...new Set(seen.map((s) => s.id))].slice(0, limit);
  }

  async recordBatch(
    importId: string,
    batch: number,
    outcomes: readonly RowOutcome[],
    scope: ImportScope,
  ): Promise<RowOutcome[]> {
    const _id = `${importId}:${batch}`;
    try {
      await this.batches.create({
        _id,
        importId,
        tenantId: scope.tenantId,
        rows: scope.rows,
        counts: countBatch(outcomes),
        outcomes: outcomes.map((o) => ({ ...o })),
      });
      return [...outcomes];
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const stored = await this.batches.findOne({ _id }).lean<ImportBatchDocument>().exec();
    return (stored?.outcomes ?? []).map(toOutcome);
  }

  async complete(
    importId: string,
    tenantId: string,
    events: readonly AnyCloudEvent[],
  ): Promise<OutboxBatch | undefined> {
    const entries = events.map(toOutboxEntry);
    const now = new Date();
    try {
      await this.completions.create({
        _id: importId,
        tenantId,
        completedAt: now,
        ...resultOf(events),
        outbox: entries,
        outboxAt: now,
      });
    } catch (error) {
      if (isDuplicateKey(error)) return undefined;
      throw error;
    }
    return this.outbox.batch([{ ownerId: importId, entries }]);
  }
}

function toOutcome(stored: ImportBatchDocument['outcomes'][number]): RowOutcome {
  if (stored.kind === 'updated') return { kind: 'updated', email: stored.email ?? '' };
  if (stored.kind === 'unchanged') return { kind: 'unchanged' };
  const reason = IMPORT_REJECTION_REASONS.find((r) => r === stored.reason) ?? 'invalid_email';
  return { kind: 'rejected', reason };
}

function countBatch(outcomes: readonly RowOutcome[]): BatchCounts {
  const counts: BatchCounts = { updated: 0, unchanged: 0, rejected: 0 };
  for (const outcome of outcomes) counts[outcome.kind] += 1;
  return counts;
}

function resultOf(events: readonly AnyCloudEvent[]): { result?: UserImportCompletedData } {
  const completed = events.find(
    (e): e is CloudEvent<'UserImportCompleted'> => e.type === 'UserImportCompleted',
  );
  return completed ? { result: completed.data } : {};
}
