import { type Model, Schema } from 'mongoose';
import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import {
  EVENT_TYPES,
  type OutboxBatch,
  type OutboxEntry,
  type OutboxStore,
  type PendingOutbox,
} from '@app/contracts';

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
): { $push?: { outbox: { $each: OutboxEntry[] } }; $set?: { outboxAt: Date } } {
  if (entries.length === 0) return {};
  return { $push: { outbox: { $each: [...entries] } }, $set: { outboxAt: now } };
}

/**
 * The outbox of one collection. Published entries are removed by id, so entries another write
 * added after they were read stay; the marker is cleared once a document's outbox is empty.
 */
export class MongoOutboxStore<T extends OutboxFields & { _id: string }> implements OutboxStore {
  private readonly collection: Collection<OutboxDocument>;

  constructor(
    readonly name: string,
    model: Model<T>,
  ) {
    // The raw collection: these updates touch only the outbox fields, which need no casting.
    this.collection = model.collection as unknown as Collection<OutboxDocument>;
  }

  async findStale(before: Date, limit: number): Promise<PendingOutbox[]> {
    const docs = await this.collection
      .find({ outboxAt: { $ne: null, $lt: before } }, { projection: { outbox: 1 }, limit })
      .toArray();
    return docs.map((d) => ({ ownerId: String(d._id), entries: d.outbox ?? [] }));
  }

  /**
   * One ordered command: each owner's published entries are pulled, then its marker is cleared
   * if nothing is left. Owners without entries are included, so a process that died between
   * the two leaves nothing behind for long.
   */
  async acknowledge(published: readonly PendingOutbox[]): Promise<void> {
    if (published.length === 0) return;
    const ops: AnyBulkWriteOperation<OutboxDocument>[] = [];
    for (const { ownerId, entries } of published) {
      if (entries.length > 0)
        ops.push({
          updateOne: {
            filter: { _id: ownerId },
            update: { $pull: { outbox: { id: { $in: entries.map((e) => e.id) } } } },
          },
        });
      ops.push({
        updateOne: {
          filter: { _id: ownerId, outbox: { $size: 0 }, outboxAt: { $ne: null } },
          update: { $set: { outboxAt: null } },
        },
      });
    }
    await this.collection.bulkWrite(ops, { ordered: true });
  }

  batch(pending: readonly PendingOutbox[]): OutboxBatch {
    return { store: this, pending };
  }
}
