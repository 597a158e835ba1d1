import { z } from 'zod';

/**
 * Building blocks shared by every payload, so that "strings are non-empty; ids are at most 128
 * characters; times are RFC 3339 UTC" (spec "Payloads") is stated once, and so is the bound of
 * every other string: a consumer must never have to hold a 5 MB display name.
 */

export const MAX_ID_LENGTH = 128;
/** Display names, file names, media types. */
export const MAX_NAME_LENGTH = 256;
/** Free text: a search, an error message. */
export const MAX_TEXT_LENGTH = 1000;
export const MAX_URI_LENGTH = 2048;
/** Lists other than the users of a part (which have their own limit). */
export const MAX_LIST_ITEMS = 1000;

/**
 * C0 and C1 controls, DEL, the Unicode line and paragraph separators and the bidirectional
 * controls: none belongs in an id, and each could make two ids that print alike differ, or a
 * joined key ambiguous, or a log line lie about what it says.
 */
const NO_CONTROL_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  /^[^\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]*$/u;

export const NO_CONTROL_CHARACTERS_RULE =
  'must not contain control, line separator or bidirectional control characters';

export const TENANT_ID_RULE = `must not contain ":" (it separates tenant and user in Kafka keys)`;

// A length check that fails stops the others: a 5 MB value is not also scanned for controls.
const boundedString = (max: number): z.ZodString => z.string().min(1).max(max, { abort: true });

export const nonEmptyString = (max: number = MAX_TEXT_LENGTH): z.ZodString => boundedString(max);

export const idString = (max: number = MAX_ID_LENGTH): z.ZodString =>
  boundedString(max).regex(NO_CONTROL_CHARACTERS, { error: NO_CONTROL_CHARACTERS_RULE });

/**
 * The spec fixes per-user Kafka keys as `tenantId:userId`; with no ":" in a tenant id the first
 * ":" of a key is the boundary, so no two tenant and user pairs share a key.
 */
export const tenantIdString = (): z.ZodString =>
  idString()
    .regex(/^[^:]*$/, { error: TENANT_ID_RULE })
    .meta({
      description: `Customer id: 1 to ${MAX_ID_LENGTH} characters, no ":" and no controls.`,
    });

export const UTC_TIMESTAMP_RULE = 'must be an RFC 3339 UTC timestamp such as 2024-05-01T12:00:00Z';

// Only the Z offset: consumers compare and sort these as strings, which offsets would break.
export const utcTimestamp = (): z.ZodISODateTime =>
  z.iso.datetime({ error: UTC_TIMESTAMP_RULE }).meta({ examples: ['2024-05-01T12:00:00Z'] });

export const count = (): z.ZodNumber => z.number().int().nonnegative();

export const LOCALES = ['sv', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export const localeSchema = z
  .enum(LOCALES)
  .meta({ description: 'Language of mails and pages: Swedish first, English beside it.' });
