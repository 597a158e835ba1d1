import { z } from 'zod';
import type { EventType } from './event-types';
import { EVENT_SCHEMAS, type DataOf } from './event-schemas';
import {
  idString,
  MAX_ID_LENGTH,
  MAX_NAME_LENGTH,
  MAX_URI_LENGTH,
  nonEmptyString,
} from './primitives';

/** Kafka `content-type` header of structured-mode CloudEvents (CloudEvents Kafka binding). */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8';

export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/** The only `datacontenttype` producers set; consumers also accept the charset-qualified form. */
export const DATA_CONTENT_TYPE = 'application/json';

// Media types and the charset value are case-insensitive (RFC 2045), so the check is too.
const JSON_MEDIA_TYPE = /^application\/json(\s*;\s*charset\s*=\s*"?utf-8"?)?\s*$/i;

/**
 * Envelope attributes shared by every event. `type` and `data` are checked separately by the
 * parser so that an unknown type and a bad payload get their own violation codes. Unknown
 * extension attributes are dropped, as CloudEvents lets consumers ignore them.
 */
export const cloudEventEnvelopeSchema = z.object({
  specversion: z.literal(CLOUDEVENTS_SPEC_VERSION),
  id: idString().meta({
    description:
      'Deduplication key: the same id delivered twice has the effect of one. Events the product ' +
      'emits use deterministic ids where one fact could otherwise be emitted twice.',
  }),
  // Part of the key that applied events are remembered by, so held to the rules of an id.
  source: idString(MAX_URI_LENGTH).meta({ description: 'The producer, as a URI-reference.' }),
  type: nonEmptyString(MAX_ID_LENGTH),
  // CloudEvents allows any RFC 3339 offset here; only the payload times are pinned to UTC.
  time: z.iso
    .datetime({ offset: true, error: 'must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z' })
    .meta({ description: 'When the fact happened (RFC 3339; the product always writes UTC).' }),
  datacontenttype: z
    .string()
    .max(MAX_NAME_LENGTH, { abort: true })
    .regex(JSON_MEDIA_TYPE, { error: 'must be application/json when present' })
    .optional(),
  subject: idString(MAX_NAME_LENGTH).optional(),
  data: z.unknown(),
});

/** The full envelope of one event type, used for documentation. */
export function cloudEventSchemaOf(type: EventType): z.ZodType {
  return cloudEventEnvelopeSchema
    .extend({ type: z.literal(type), data: EVENT_SCHEMAS[type] })
    .meta({ description: `CloudEvents 1.0 structured-mode envelope of ${type}.` });
}

export interface CloudEvent<T extends EventType> {
  specversion: typeof CLOUDEVENTS_SPEC_VERSION;
  id: string;
  source: string;
  type: T;
  time: string;
  datacontenttype?: string;
  subject?: string;
  data: DataOf<T>;
}

/** Discriminated on `type`, so a switch narrows `data`. */
export type AnyCloudEvent = { [K in EventType]: CloudEvent<K> }[EventType];
