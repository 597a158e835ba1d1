import type { CloudEvent, EventType } from '@app/contracts';

/** What a use case records as the cause of its writes: the event, who handles it, and when. */
export interface EventCause {
  eventId: string;
  source: string;
  at: Date;
}

/** The cause of the writes an event's handler makes now, as `source`. */
export function eventCause(event: CloudEvent<EventType>, source: string): EventCause {
  return { eventId: event.id, source, at: new Date() };
}
