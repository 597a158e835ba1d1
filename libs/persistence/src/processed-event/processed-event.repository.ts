import type { Collection } from 'mongodb';
import { type Connection, type Model, Schema } from 'mongoose';
import { appliedEventKey, type AppliedEventRef, type ProcessedEventStore } from '@app/messaging';
import { ignoreNamespaceExists, onlyDuplicateKeys } from '../mongo-errors';
import { ensureTtlIndex } from '../ttl-index';
import { findByIds } from '../id-lists';

interface ProcessedEventDocument {
  /** JSON of [scope, tenant, source, event id]. */
  _id: string;
  at: Date;
}

const schema = new Schema<ProcessedEventDocument>(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { collection: 'processed_events', versionKey: false },
);

export interface ProcessedEventOptions {
  /** How long an applied event's id is remembered; redeliveries come far sooner. */
  retentionDays: number;
}

/**
 * Which events a consumer group applied. The unique `_id` is the whole mechanism: recording an
 * event twice is a duplicate-key error, ignored. A TTL index forgets them after the retention.
 */
export class ProcessedEventRepository implements ProcessedEventStore {
  private readonly model: Model<ProcessedEventDocument>;
  private readonly collection: Collection<ProcessedEventDocument>;

  constructor(
    connection: Connection,
    private readonly options: ProcessedEventOptions = { retentionDays: 14 },
  ) {
    this.model = connection.model<ProcessedEventDocument>('ProcessedEvent', schema);
    this.collection = this.model.collection as unknown as Collection<ProcessedEventDocument>;
  }

  async init(): Promise<void> {
    await this.model.createCollection().catch(ignoreNamespaceExists);
    await ensureTtlIndex(this.model, 'at', this.options.retentionDays * 86_400);
  }

  async findProcessed(scope: string, events: readonly AppliedEventRef[]): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const keys = new Map(events.map((e) => [recordId(scope, e), appliedEventKey(e)]));
    const docs = await findByIds(this.collection, [...keys.keys()], { _id: 1 });
    return new Set(docs.map((d) => keys.get(d._id) ?? ''));
  }

  async markProcessed(scope: string, events: readonly AppliedEventRef[]): Promise<void> {
    if (events.length === 0) return;
    const at = new Date();
    try {
      await this.collection.insertMany(
        events.map((e) => ({ _id: recordId(scope, e), at })),
        { ordered: false },
      );
    } catch (error) {
      if (!onlyDuplicateKeys(error)) throw error;
    }
  }
}

function recordId(scope: string, event: AppliedEventRef): string {
  return JSON.stringify([scope, event.tenantId, event.source, event.eventId]);
}
