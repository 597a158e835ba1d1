import { type Connection, type Model, Schema } from 'mongoose';
import type { ProcessedEventStore } from '@app/messaging';
import { ignoreNamespaceExists, onlyDuplicateKeys } from '../mongo-errors';
import { findByIds } from '../id-lookup';

interface ProcessedEventDocument {
  _id: string;
  at: Date;
}

const schema = new Schema<ProcessedEventDocument>(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { collection: 'processed_events', versionKey: false },
);
// Serves pruneOlderThan; no TTL index, since the MongoDB stand-in used in tests lacks them.
schema.index({ at: 1 });

/**
 * Which events a consumer group applied. The unique `_id` ("<scope>|<event id>") is the whole
 * mechanism: recording an id twice is a duplicate-key error, ignored.
 */
export class ProcessedEventRepository implements ProcessedEventStore {
  private readonly model: Model<ProcessedEventDocument>;

  constructor(connection: Connection) {
    this.model = connection.model<ProcessedEventDocument>('ProcessedEvent', schema);
  }

  async init(): Promise<void> {
    await this.model.createCollection().catch(ignoreNamespaceExists);
    await this.model.syncIndexes();
  }

  async findProcessed(scope: string, eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const ids = eventIds.map((id) => key(scope, id));
    const docs = await findByIds<{ _id: string }>(this.model, ids, { _id: 1 });
    return new Set(docs.map((d) => d._id.slice(scope.length + 1)));
  }

  async markProcessed(scope: string, eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    const at = new Date();
    try {
      await this.model.insertMany(
        eventIds.map((id) => ({ _id: key(scope, id), at })),
        { ordered: false, lean: true },
      );
    } catch (error) {
      if (!onlyDuplicateKeys(error)) throw error;
    }
  }

  /** Forgets marks older than the retention; returns how many. */
  async pruneOlderThan(cutoff: Date): Promise<number> {
    const result = await this.model.deleteMany({ at: { $lt: cutoff } });
    return result.deletedCount;
  }
}

function key(scope: string, eventId: string): string {
  return `${scope}|${eventId}`;
}
