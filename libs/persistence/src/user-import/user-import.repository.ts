import type { Collection } from 'mongodb';
import type { Connection, Model } from 'mongoose';
import {
  IMPORT_REJECTION_REASONS,
  type AnyCloudEvent,
  type CloudEvent,
  type UserImportCompletedData,
  toOutboxEntry,
  type OutboxBatch,
} from '@app/contracts';
import type { ImportProgressStore, ImportScope, ImportStart, RowOutcome } from '@app/user-import';
import { ignoreNamespaceExists, isDuplicateKey } from '../mongo-errors';
import { MongoOutboxStore, outboxPush } from '../outbox/outbox-fields';
import { tenantRecordId } from '../record-ids';
import {
  type BatchCounts,
  IMPORT_BATCH_COLLECTION,
  IMPORT_COLLECTION,
  type ImportBatchDocument,
  type ImportDocument,
  importBatchSchema,
  importSchema,
} from './user-import.schema';

/**
 * A stored batch of this import came from another file, or was cut another way. begin()
 * prevents both; this guards the stored outcomes should two deliveries race past it.
 */
export class ImportFileMismatchError extends Error {
  constructor(importId: string) {
    super(`import ${importId} has a stored batch of another file or size`);
    this.name = 'ImportFileMismatchError';
  }
}

/**
 * Imports' progress. Every record belongs to one tenant. A batch's outcomes are inserted once
 * (the first stands), then counted in the import's record by an update guarded by the batch's
 * number; the completion is a guarded update carrying its events.
 */
export class UserImportRepository implements ImportProgressStore {
  private readonly imports: Model<ImportDocument>;
  private readonly batches: Model<ImportBatchDocument>;
  private readonly importCollection: Collection<ImportDocument>;
  private readonly batchCollection: Collection<ImportBatchDocument>;
  readonly outbox: MongoOutboxStore<ImportDocument>;

  constructor(connection: Connection) {
    this.imports = connection.model<ImportDocument>(IMPORT_COLLECTION, importSchema);
    this.batches = connection.model<ImportBatchDocument>(
      IMPORT_BATCH_COLLECTION,
      importBatchSchema,
    );
    this.importCollection = this.imports.collection as unknown as Collection<ImportDocument>;
    this.batchCollection = this.batches.collection as unknown as Collection<ImportBatchDocument>;
    this.outbox = new MongoOutboxStore(IMPORT_COLLECTION, this.imports);
  }

  async init(): Promise<void> {
    for (const model of [this.imports, this.batches]) {
      await model.createCollection().catch(ignoreNamespaceExists);
      await model.syncIndexes();
    }
  }

  async completedImport(
    tenantId: string,
    importId: string,
  ): Promise<{ fileSha256?: string | undefined } | undefined> {
    const found = await this.importCollection.findOne(
      { _id: importRecordId(tenantId, importId), completedAt: { $ne: null } },
      { projection: { fileSha256: 1 } },
    );
    return found ? { fileSha256: found.fileSha256 } : undefined;
  }

  async begin(scope: ImportScope, batchSize: number): Promise<ImportStart> {
    const _id = importRecordId(scope.tenantId, scope.importId);
    const result = await this.importCollection
      .updateOne(
        { _id },
        {
          $setOnInsert: {
            tenantId: scope.tenantId,
            importId: scope.importId,
            fileSha256: scope.fileSha256,
            rows: scope.rows,
            batchSize,
            counts: { updated: 0, unchanged: 0, rejected: 0 },
            batches: [],
            startedAt: new Date(),
            completedAt: null,
            outbox: [],
          },
        },
        { upsert: true },
      )
      .catch((error: unknown) => {
        // Two deliveries starting at once: the other one created it.
        if (isDuplicateKey(error)) return { upsertedCount: 0 };
        throw error;
      });
    if (result.upsertedCount > 0) return { kind: 'started', batchSize };
    const stored = await this.importCollection.findOne(
      { _id },
      { projection: { fileSha256: 1, batchSize: 1 } },
    );
    if (stored?.fileSha256 !== scope.fileSha256) return { kind: 'conflict' };
    return { kind: 'resumed', batchSize: stored.batchSize ?? batchSize };
  }

  async recordBatch(
    scope: ImportScope,
    batch: number,
    outcomes: readonly RowOutcome[],
  ): Promise<RowOutcome[]> {
    const { tenantId, importId, fileSha256 } = scope;
    const _id = tenantRecordId(tenantId, importId, batch);
    let standing = [...outcomes];
    try {
      await this.batchCollection.insertOne({
        _id,
        tenantId,
        importId,
        fileSha256,
        outcomes: outcomes.map((o) => ({ ...o })),
        createdAt: new Date(),
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const stored = await this.batchCollection.findOne({ _id });
      if (!stored || stored.fileSha256 !== fileSha256 || stored.outcomes.length !== outcomes.length)
        throw new ImportFileMismatchError(importId);
      standing = stored.outcomes.map(toOutcome);
    }
    await this.countBatch(scope, batch, standing);
    return standing;
  }

  async complete(
    tenantId: string,
    importId: string,
    events: readonly AnyCloudEvent[],
  ): Promise<OutboxBatch | undefined> {
    const entries = events.map(toOutboxEntry);
    const now = new Date();
    const _id = importRecordId(tenantId, importId);
    try {
      // Guarded: of any number of completions, one matches (or creates a failed import's record).
      const result = await this.importCollection.updateOne(
        { _id, completedAt: null },
        {
          $set: { completedAt: now, ...resultOf(events) },
          ...outboxPush(entries, now),
          $setOnInsert: {
            tenantId,
            importId,
            counts: { updated: 0, unchanged: 0, rejected: 0 },
            batches: [],
            startedAt: now,
          },
        },
        { upsert: true },
      );
      if (result.matchedCount === 0 && result.upsertedCount === 0) return undefined;
    } catch (error) {
      // Completed already: the guard failed and the upsert met the existing record.
      if (isDuplicateKey(error)) return undefined;
      throw error;
    }
    return this.outbox.batch([{ ownerId: _id, entries }]);
  }

  /** An import's record for operators, without its outbox. */
  async find(tenantId: string, importId: string): Promise<ImportDocument | undefined> {
    const doc = await this.importCollection.findOne(
      { _id: importRecordId(tenantId, importId) },
      { projection: { outbox: 0 } },
    );
    return doc ?? undefined;
  }

  /** The imports most recently started, newest first, for operators. */
  async recent(limit: number): Promise<ImportDocument[]> {
    return this.importCollection
      .find({}, { projection: { outbox: 0 }, sort: { startedAt: -1 }, limit })
      .toArray();
  }

  /** Adds a batch's counts to the import's progress, once: the batch number guards it. */
  private async countBatch(scope: ImportScope, batch: number, outcomes: readonly RowOutcome[]) {
    const counts: BatchCounts = { updated: 0, unchanged: 0, rejected: 0 };
    for (const outcome of outcomes) counts[outcome.kind] += 1;
    await this.importCollection.updateOne(
      { _id: importRecordId(scope.tenantId, scope.importId), batches: { $ne: batch } },
      {
        $push: { batches: batch },
        $inc: {
          'counts.updated': counts.updated,
          'counts.unchanged': counts.unchanged,
          'counts.rejected': counts.rejected,
        },
      },
    );
  }
}

export function importRecordId(tenantId: string, importId: string): string {
  return tenantRecordId(tenantId, importId);
}

function toOutcome(stored: ImportBatchDocument['outcomes'][number]): RowOutcome {
  if (stored.kind === 'updated') return { kind: 'updated', email: stored.email ?? '' };
  if (stored.kind === 'unchanged') return { kind: 'unchanged' };
  const reason = IMPORT_REJECTION_REASONS.find((r) => r === stored.reason) ?? 'invalid_email';
  return { kind: 'rejected', reason };
}

function resultOf(events: readonly AnyCloudEvent[]): { result?: UserImportCompletedData } {
  const completed = events.find(
    (e): e is CloudEvent<'UserImportCompleted'> => e.type === 'UserImportCompleted',
  );
  return completed ? { result: completed.data } : {};
}
