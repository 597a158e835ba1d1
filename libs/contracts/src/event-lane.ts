import type { AnyCloudEvent } from './cloud-event';
import type { MailLane } from './lanes';

/**
 * The lane an event travels in; undefined for the event type's own topic. Apart from
 * lanes.ts because the payload schemas need the lanes and this needs the envelope.
 */
export function laneOf(event: AnyCloudEvent): MailLane | undefined {
  return event.type === 'VerificationMailRequested' ? event.data.lane : undefined;
}
