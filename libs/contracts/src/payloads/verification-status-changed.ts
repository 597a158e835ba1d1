import { z } from 'zod';
import { MAX_EMAIL_LENGTH } from '../email-address';
import {
  idString,
  MAX_ID_LENGTH,
  nonEmptyString,
  tenantIdString,
  utcTimestamp,
} from '../primitives';

export const VERIFICATION_STATUSES = [
  'no_email',
  'unverified',
  'verification_sent',
  'verified',
  'linked',
] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

export const verificationStatusChangedSchema = z
  .object({
    tenantId: tenantIdString(),
    userId: idString(),
    status: z.enum(VERIFICATION_STATUSES),
    // null rather than absent so that "the address was removed" is explicit.
    email: nonEmptyString(MAX_EMAIL_LENGTH)
      .nullable()
      .meta({ description: "The user's saved address, or null when there is none." }),
    reason: nonEmptyString(MAX_ID_LENGTH)
      .optional()
      .meta({ description: 'Skip or failure reason behind the change, when there is one.' }),
    requestId: idString()
      .optional()
      .meta({ description: 'The VerificationRequested that caused the change, if any.' }),
    occurredAt: utcTimestamp(),
  })
  .meta({ description: "Every change of a user's verification state." });

export type VerificationStatusChangedData = z.output<typeof verificationStatusChangedSchema>;
export type VerificationStatusChangedInput = z.input<typeof verificationStatusChangedSchema>;
