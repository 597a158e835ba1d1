import type { AnyCloudEvent, CloudEvent } from './cloud-event';
import { cloudEventEnvelopeSchema } from './cloud-event';
import {
  ROOT_PATH,
  issuesFromZod,
  typeNameOf,
  violation,
  type ContractViolation,
} from './contract-violation';
import { dataSchemaOf } from './event-schemas';
import { isEventType, type EventType } from './event-types';

export type ParseResult =
  { ok: true; event: AnyCloudEvent } | { ok: false; error: ContractViolation };

export type ParseResultOf<T extends EventType> =
  { ok: true; event: CloudEvent<T> } | { ok: false; error: ContractViolation };

// `fatal` so that bytes that are not UTF-8 are reported instead of silently becoming U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Checks a Kafka message value against the contract. It never throws: every way a value can be
 * wrong is a `ContractViolation` the caller can route to the DLQ. Defaults (`part`, `resend`,
 * `verifyAfterImport`) are applied in the returned event.
 */
export function parseEvent(
  value: Buffer | string | null | undefined,
  expected?: EventType | readonly EventType[],
): ParseResult {
  const text = decode(value);
  if (text === undefined) {
    return fail(violation('not_json', 'value is not UTF-8 text'));
  }
  if (text.trim() === '') return fail(violation('empty', 'value is empty'));

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The SyntaxError text quotes the input, so it is deliberately not passed on.
    return fail(violation('not_json', 'value is not valid JSON'));
  }

  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail(
      violation('not_cloudevent', 'value is not a CloudEvent', [
        { path: ROOT_PATH, message: `must be a JSON object (got ${typeNameOf(json)})` },
      ]),
    );
  }

  const envelope = cloudEventEnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    // The first pass is the hot path; the slower pass with inputs runs only to word the error.
    const detailed = cloudEventEnvelopeSchema.safeParse(json, { reportInput: true });
    return fail(
      violation(
        'not_cloudevent',
        'value is not a CloudEvents 1.0 event',
        issuesFromZod((detailed.error ?? envelope.error).issues),
      ),
    );
  }

  const { type } = envelope.data;
  if (!isEventType(type)) {
    return fail(
      violation('unknown_type', 'type is not an event of this contract', [
        { path: 'type', message: 'is not a known event type' },
      ]),
    );
  }

  const accepted =
    expected === undefined ? undefined : typeof expected === 'string' ? [expected] : expected;
  if (accepted !== undefined && !accepted.includes(type)) {
    // Known type names come from this library, not from the input, so naming them is safe.
    return fail(
      violation('unexpected_type', 'event type is not expected on this topic', [
        { path: 'type', message: `must be ${accepted.join(' or ')} (got ${type})` },
      ]),
    );
  }

  const data = dataSchemaOf(type).safeParse(envelope.data.data);
  if (!data.success) {
    const detailed = dataSchemaOf(type).safeParse(envelope.data.data, { reportInput: true });
    return fail(
      violation(
        'invalid_data',
        `${type} data breaks its schema`,
        issuesFromZod((detailed.error ?? data.error).issues, 'data'),
      ),
    );
  }

  // The type check above ties `data` to `type`; TypeScript cannot follow that across a union.
  const event = { ...envelope.data, type, data: data.data } as AnyCloudEvent;
  return { ok: true, event };
}

/** `parseEvent` for consumers of exactly one type, with `data` typed accordingly. */
export function parseEventOf<T extends EventType>(
  value: Buffer | string | null | undefined,
  type: T,
): ParseResultOf<T> {
  const result = parseEvent(value, type);
  // parseEvent returned ok only if event.type === type.
  return result.ok ? { ok: true, event: result.event as CloudEvent<T> } : result;
}

function decode(value: Buffer | string | null | undefined): string | undefined {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return stripBom(value);
  try {
    return utf8.decode(value);
  } catch {
    return undefined;
  }
}

// Producers on Windows sometimes prepend a BOM; it is not part of the JSON text.
function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function fail(error: ContractViolation): { ok: false; error: ContractViolation } {
  return { ok: false, error };
}
