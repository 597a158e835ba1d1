import { v4 as uuidv4 } from 'uuid';
import {
  CLOUDEVENTS_SPEC_VERSION,
  DATA_CONTENT_TYPE,
  cloudEventEnvelopeSchema,
  type CloudEvent,
} from './cloud-event';
import { ContractViolationError, issuesFromZod, violation } from './contract-violation';
import { dataSchemaOf, type DataInputOf } from './event-schemas';
import type { EventType } from './event-types';

export interface CreateEventOptions {
  /** The producer, e.g. `connect-provisioning/verification-worker`. */
  source: string;
  /** Pass a deterministic id (see event-ids) when the same fact could be emitted twice. */
  id?: string;
  time?: Date;
  subject?: string;
}

/**
 * Builds a validated event. Invalid input throws `ContractViolationError`: emitting an event that
 * breaks the contract is a bug in the caller, and failing loudly keeps it off the topic.
 */
export function createEvent<T extends EventType>(
  type: T,
  data: DataInputOf<T>,
  opts: CreateEventOptions,
): CloudEvent<T> {
  const parsed = dataSchemaOf(type).safeParse(data, { reportInput: true });
  if (!parsed.success) {
    throw new ContractViolationError(
      violation(
        'invalid_data',
        `${type} data breaks its schema`,
        issuesFromZod(parsed.error.issues, 'data'),
      ),
    );
  }

  const time = opts.time ?? new Date();
  if (Number.isNaN(time.getTime())) {
    throw new ContractViolationError(
      violation('not_cloudevent', 'event envelope is invalid', [
        { path: 'time', message: 'must be a valid Date' },
      ]),
    );
  }

  const envelope: Omit<CloudEvent<T>, 'data'> = {
    specversion: CLOUDEVENTS_SPEC_VERSION,
    id: opts.id ?? uuidv4(),
    source: opts.source,
    type,
    time: time.toISOString(),
    datacontenttype: DATA_CONTENT_TYPE,
    ...(opts.subject === undefined ? {} : { subject: opts.subject }),
  };
  const checked = cloudEventEnvelopeSchema.safeParse(
    { ...envelope, data: parsed.data },
    { reportInput: true },
  );
  if (!checked.success) {
    throw new ContractViolationError(
      violation('not_cloudevent', 'event envelope is invalid', issuesFromZod(checked.error.issues)),
    );
  }

  return { ...envelope, data: parsed.data };
}

/** The Kafka message value: structured-mode CloudEvent as UTF-8 JSON. */
export function serializeEvent<T extends EventType>(event: CloudEvent<T>): Buffer {
  return Buffer.from(JSON.stringify(event), 'utf8');
}
