import { z } from 'zod';
import { count, idString, tenantIdString, utcTimestamp } from '../primitives';

export const SKIP_REASONS = [
  'no_email',
  'invalid_email',
  'already_verified',
  'already_linked',
  'recently_sent',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

// Strict and complete so that operators can sum the counters without guessing at missing keys.
const skippedSchema = z
  .strictObject({
    no_email: count(),
    invalid_email: count(),
    already_verified: count(),
    already_linked: count(),
    recently_sent: count(),
  })
  .meta({ description: 'Users skipped, per reason; every reason is present.' });

export const verificationBatchCompletedSchema = z
  .object({
    requestId: idString(),
    tenantId: tenantIdString(),
    requested: count().meta({ description: 'Users in all parts of the request.' }),
    sent: count(),
    failed: count().meta({ description: 'Users whose mail still failed after the retries.' }),
    skipped: skippedSchema,
    completedAt: utcTimestamp(),
  })
  .meta({
    description: 'Once per requestId, after every part has arrived and every user has an outcome.',
  });

export type VerificationBatchCompletedData = z.output<typeof verificationBatchCompletedSchema>;
export type VerificationBatchCompletedInput = z.input<typeof verificationBatchCompletedSchema>;
