import { type Connection, type Model, Schema } from 'mongoose';
import { IMPORT_REJECTION_REASONS, type AnyCloudEvent } from '@app/contracts';
import { toOutboxEntry, type OutboxBatch } from '@app/messaging';
import type { ImportProgressStore, RowOutcome } from '@app/user-import';
import { ignoreNamespaceExists, isDuplicateKey } from '../mongo-errors';
import { addOutboxFields, MongoOutboxStore, type OutboxFields } from '../outbox/outbox-fields';

export const IMPORT_BATCH_COLLECTION = 'user_import_batches';
export const IMPORT_COMPLETION_COLLECTION = 'user_import_completions';

/** One batch's outcomes, inserted before the batch is applied: a redelivery follows them. */
interface ImportBatchDocument {
  _id: string;
  importId: string;
  outcomes: { kind: RowOutcome['kind']; email?: string; reason?: string }[];
}

interface ImportCompletionDocument extends OutboxFields {
  _id: string;
  tenantId: string;
  completedAt: Date;
}

const batchSchema = new Schema<ImportBatchDocument>(
  {
    _id: { type: String, required: true },
    importId: { type: String, required: true },
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
  { collection: IMPORT_BATCH_COLLECTION, versionKey: false, strict: 'throw' },
);
// Serves clean-up of one import's batches.
batchSchema.index({ importId: 1 });

const completionSchema = new Schema<ImportCompletionDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    completedAt: { type: Date, required: true },
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

  async recordBatch(
    importId: string,
    batch: number,
    outcomes: readonly RowOutcome[],
  ): Promise<RowOutcome[]> {
    const _id = `${importId}:${batch}`;
    try {
      await this.batches.create({ _id, importId, outcomes: outcomes.map((o) => ({ ...o })) });
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
