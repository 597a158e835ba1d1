import { z } from 'zod';
import {
  count,
  idString,
  MAX_ID_LENGTH,
  MAX_URI_LENGTH,
  nonEmptyString,
  tenantIdString,
  utcTimestamp,
} from '../primitives';

export const IMPORT_REJECTION_REASONS = [
  'invalid_email',
  'already_linked',
  'missing_user_id',
  'duplicate_user',
  'email_in_use',
] as const;
export type ImportRejectionReason = (typeof IMPORT_REJECTION_REASONS)[number];

export const IMPORT_STATUSES = ['completed', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export const userImportCompletedSchema = z
  .object({
    importId: idString(),
    tenantId: tenantIdString(),
    status: z.enum(IMPORT_STATUSES).meta({
      description:
        '`failed`: the file as a whole could not be read (missing column, unreadable format, too ' +
        'large, checksum mismatch) and no row was applied.',
    }),
    rows: count(),
    updated: count(),
    unchanged: count().meta({ description: 'Same address as saved, or an empty cell.' }),
    rejected: count(),
    // Partial: a reason that never occurred may be left out rather than sent as 0.
    reasons: z
      .partialRecord(z.enum(IMPORT_REJECTION_REASONS), count())
      .meta({ description: 'Rejected rows per reason; absent reasons count 0.' }),
    reportUri: nonEmptyString(MAX_URI_LENGTH)
      .optional()
      .meta({ description: 'Where the per-row report can be fetched.' }),
    error: z
      .object({ code: nonEmptyString(MAX_ID_LENGTH), message: nonEmptyString() })
      .optional()
      .meta({ description: 'Why the import failed; set when status is failed.' }),
    verificationRequestId: idString().optional().meta({
      description:
        'requestId of the VerificationRequested sent because of verifyAfterImport, if mails were sent.',
    }),
    completedAt: utcTimestamp(),
  })
  .meta({ description: 'Outcome of one UserImportUploaded.' });

export type UserImportCompletedData = z.output<typeof userImportCompletedSchema>;
export type UserImportCompletedInput = z.input<typeof userImportCompletedSchema>;
