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

/** An entry as stored: with the time it was written, by which the sweep finds leftovers. */
export interface StoredOutboxEntry extends OutboxEntry {
  /** Absent on entries written before entries carried their time (see `outboxAt`). */
  at?: Date;
}

/** Fields a document needs to carry its own outbox. */
export interface OutboxFields {
  outbox: StoredOutboxEntry[];
  /**
   * The marker of earlier versions: set when entries were added, cleared once none were left.
   * No longer written; the sweep still finds documents that have one and clears it once their
   * outbox is empty, so an upgrade leaves nothing behind.
   */
  outboxAt?: Date | null;
}

const outboxEntrySchema = new Schema<StoredOutboxEntry>(
  {
    id: { type: String, required: true },
    type: { type: String, required: true, enum: Object.values(EVENT_TYPES) },
    key: { type: String, required: true },
    value: { type: String, required: true },
    at: { type: Date },
  },
  { _id: false },
);

export function addOutboxFields(schema: Schema): void {
  schema.add({
    outbox: { type: [outboxEntrySchema], default: [] },
    outboxAt: { type: Date },
  });
  // The relay's sweep for entries a dead process left behind (findStale): a multikey index on
  // the entries' times holds keys only while a document has entries, so acknowledging them is
  // one $pull and no marker to clear after it.
  schema.index({ 'outbox.at': 1 });
  // Documents with a marker of an earlier version (see OutboxFields.outboxAt).
  schema.index({ outboxAt: 1 });
}

/** The entries as stored, with the time they were written. */
export function storedEntries(entries: readonly OutboxEntry[], at: Date): StoredOutboxEntry[] {
  return entries.map((entry) => ({ ...entry, at }));
}

/** The update fragment that appends entries in the same atomic update as the state change. */
export function outboxPush(
  entries: readonly OutboxEntry[],
  now: Date,
): { $push?: { outbox: { $each: StoredOutboxEntry[] } } } {
  if (entries.length === 0) return {};
  return { $push: { outbox: { $each: storedEntries(entries, now) } } };
}

/**
 * The outbox of one collection. Published entries are removed by id, so entries another write
 * added after they were read stay; each entry carries its write time, by which leftovers are
 * found, so removing the last one leaves nothing else to clear.
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
      .find(
        { $or: [{ 'outbox.at': { $lt: before } }, { outboxAt: { $ne: null, $lt: before } }] },
        { projection: { outbox: 1 }, limit },
      )
      .toArray();
    return docs.map((d) => ({
      ownerId: String(d._id),
      entries: (d.outbox ?? []).map(({ at: _at, ...entry }) => entry),
    }));
  }

  /**
   * One statement per owner: its published entries are pulled. An owner without entries is
   * one the sweep found by an earlier version's marker with nothing left: the marker goes.
   */
  async acknowledge(published: readonly PendingOutbox[]): Promise<void> {
    if (published.length === 0) return;
    const ops: AnyBulkWriteOperation<OutboxDocument>[] = published.map(({ ownerId, entries }) =>
      entries.length > 0
        ? {
            updateOne: {
              filter: { _id: ownerId },
              update: { $pull: { outbox: { id: { $in: entries.map((e) => e.id) } } } },
            },
          }
        : {
            updateOne: {
              filter: { _id: ownerId, outbox: { $size: 0 }, outboxAt: { $ne: null } },
              update: { $unset: { outboxAt: '' } },
            },
          },
    );
    await this.collection.bulkWrite(ops, { ordered: false });
  }

  batch(pending: readonly PendingOutbox[]): OutboxBatch {
    return { store: this, pending };
  }
}
