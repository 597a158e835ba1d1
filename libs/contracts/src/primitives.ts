import { z } from 'zod';

/**
 * Building blocks shared by every payload, so that "strings are non-empty; ids are at most 128
 * characters; times are RFC 3339 UTC" (spec "Payloads") is stated once.
 */

export const MAX_ID_LENGTH = 128;

export const nonEmptyString = (): z.ZodString => z.string().min(1);

export const idString = (): z.ZodString => z.string().min(1).max(MAX_ID_LENGTH);

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
