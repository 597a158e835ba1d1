import type { AnyCloudEvent } from './cloud-event';
import type { EventType } from './event-types';
import { kafkaKeyOf } from './kafka-keys';
import { serializeEvent } from './create-event';

// The outbox port. It lives here, beside the events it carries, so that the domain can hand its
// writes' events on (OutboxBatch) without knowing the broker: persistence implements the store,
// messaging's OutboxRelay publishes the batch, and both depend on this file, not on each other.

/**
 * An event waiting to be published, stored inside the document whose change implies it, in the
 * same single-document update: the change and the event cannot diverge when a process dies.
 */
export interface OutboxEntry {
  id: string;
  type: EventType;
  key: string;
  /** The serialized CloudEvent, exactly as it will be published. */
  value: string;
}

export function toOutboxEntry(event: AnyCloudEvent): OutboxEntry {
  return {
    id: event.id,
    type: event.type,
    key: kafkaKeyOf(event),
    value: serializeEvent(event).toString('utf8'),
  };
}

/** The entries of one document, as read or written. */
export interface PendingOutbox {
  ownerId: string;
  entries: readonly OutboxEntry[];
}

/** A collection whose documents carry outboxes. */
export interface OutboxStore {
  readonly name: string;
  /** Documents with entries written before `before`: left behind by a process that died. */
  findStale(before: Date, limit: number): Promise<PendingOutbox[]>;
  /** Removes published entries, exactly those, from their documents. */
  acknowledge(published: readonly PendingOutbox[]): Promise<void>;
}

/** What a write with events returns: the app publishes it (OutboxRelay.flush in messaging). */
export interface OutboxBatch {
  store: OutboxStore;
  pending: readonly PendingOutbox[];
}

export const EMPTY_OUTBOX_BATCH = (store: OutboxStore): OutboxBatch => ({ store, pending: [] });
