import { type Model, Schema } from 'mongoose';
import type { Collection } from 'mongodb';
import { EVENT_TYPES } from '@app/contracts';
import type { OutboxBatch, OutboxEntry, OutboxStore, PendingOutbox } from '@app/messaging';
import { findByIds, idLookupOf } from '../id-lookup';
import { writeInChunks } from '../write-in-chunks';

/** The outbox part of any such document, as the raw driver sees it. */
interface OutboxDocument extends OutboxFields {
  _id: string;
}

/** Fields a document needs to carry its own outbox. */
export interface OutboxFields {
  outbox: OutboxEntry[];
  /** When entries were last added; null when there are none. Finds leftovers by index. */
  outboxAt: Date | null;
}

const outboxEntrySchema = new Schema<OutboxEntry>(
  {
    id: { type: String, required: true },
    type: { type: String, required: true, enum: Object.values(EVENT_TYPES) },
    key: { type: String, required: true },
    value: { type: String, required: true },
  },
  { _id: false },
);

export function addOutboxFields(schema: Schema): void {
  schema.add({
    outbox: { type: [outboxEntrySchema], default: [] },
    outboxAt: { type: Date, default: null },
  });
  // Serves the relay's sweep for entries a dead process left behind (findStale).
  schema.index({ outboxAt: 1 });
}

/** The update fragment that appends entries in the same atomic update as the state change. */
export function outboxPush(
  entries: readonly OutboxEntry[],
  now: Date,
): { $push?: object; $set?: object } {
  if (entries.length === 0) return {};
  return { $push: { outbox: { $each: entries } }, $set: { outboxAt: now } };
}

/**
 * The outbox of one collection. Entries are removed with `$pullAll` of the exact entries:
 * FerretDB ignores `$pull` with a condition, and exact removal is what we want anyway, since
 * entries added after the read must stay.
 */
export class MongoOutboxStore<T extends OutboxFields & { _id: string }> implements OutboxStore {
  private readonly collection: Collection<OutboxDocument>;

  constructor(
    readonly name: string,
    private readonly model: Model<T>,
  ) {
    // The raw collection: these updates touch only the outbox fields, which need no casting.
    this.collection = model.collection as unknown as Collection<OutboxDocument>;
  }

  async findStale(before: Date, limit: number): Promise<PendingOutbox[]> {
    const docs = await this.collection
      .find({ outboxAt: { $ne: null, $lt: before } }, { projection: { outbox: 1 }, limit })
      .toArray();
    return docs.map((d) => ({ ownerId: String(d._id), entries: d.outbox.map(plainEntry) }));
  }

  async acknowledge(published: readonly PendingOutbox[]): Promise<void> {
    if (published.length === 0) return;
    const withEntries = published.filter((p) => p.entries.length > 0);
    if (withEntries.length > 0) {
      const ops = withEntries.map((p) => ({
        updateOne: {
          filter: { _id: p.ownerId },
          update: { $pullAll: { outbox: p.entries.map(plainEntry) } },
        },
      }));
      await writeInChunks(ops, (chunk) => this.collection.bulkWrite(chunk));
    }
    await this.clearEmptyMarkers(published.map((p) => p.ownerId));
  }

  /**
   * Clears the marker of every owner whose outbox is now empty, including owners whose entries
   * an earlier, interrupted acknowledge already removed.
   */
  private async clearEmptyMarkers(ownerIds: readonly string[]): Promise<void> {
    if ((await idLookupOf(this.model.db)) === 'in') {
      await this.collection.updateMany(
        { _id: { $in: [...ownerIds] }, outbox: { $size: 0 } },
        { $set: { outboxAt: null } },
      );
      return;
    }
    // The stand-in scans the whole collection for that filter. Read by _id and clear by _id
    // instead: not atomic, but the stand-in's guarded updates are not atomic either
    // (docs/local-stack.md), and an entry added in between is still flushed by its writer.
    // Inserted without an outbox (lean inserts skip defaults) and settled without events,
    // an owner has neither field: nothing to clear, and no array to measure.
    const owners = await findByIds<Partial<OutboxDocument> & { _id: string }>(
      this.model,
      ownerIds,
      { outbox: 1, outboxAt: 1 },
    );
    const ops = owners
      .filter((owner) => owner.outboxAt && (owner.outbox?.length ?? 0) === 0)
      .map((owner) => ({
        updateOne: { filter: { _id: owner._id }, update: { $set: { outboxAt: null } } },
      }));
    await writeInChunks(ops, (chunk) => this.collection.bulkWrite(chunk));
  }

  batch(pending: readonly PendingOutbox[]): OutboxBatch {
    return { store: this, pending };
  }
}

// Field order matters for $pullAll's exact match: always id, type, key, value.
function plainEntry(entry: OutboxEntry): OutboxEntry {
  return { id: entry.id, type: entry.type, key: entry.key, value: entry.value };
}
