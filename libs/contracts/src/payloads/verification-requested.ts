import { z } from 'zod';
import { MAX_TYPED_EMAIL_LENGTH } from '../email-address';
import {
  idString,
  localeSchema,
  MAX_LIST_ITEMS,
  MAX_NAME_LENGTH,
  nonEmptyString,
  tenantIdString,
} from '../primitives';

/** Larger selections are split into parts so that one Kafka message stays well below broker limits. */
export const MAX_USERS_PER_PART = 1000;

const requestedUserSchema = z
  .object({
    userId: idString(),
    // Not checked as an address on purpose: an invalid address is the business outcome
    // `invalid_email` for that one user, not a reason to dead-letter the whole request; only
    // a value no address could normalise from refuses the message.
    email: nonEmptyString(MAX_TYPED_EMAIL_LENGTH)
      .optional()
      .meta({
        description:
          'Address to save before sending (R1). Not validated here: a malformed address makes ' +
          'this user skipped with `invalid_email`; the rest of the request still counts.',
      }),
    displayName: nonEmptyString(MAX_NAME_LENGTH).optional(),
    companyId: idString().optional(),
    locale: localeSchema.optional(),
  })
  .meta({ description: 'One user selected in the Users view.' });

const partSchema = z
  .object({
    index: z.number().int().min(1).meta({ description: '1-based position of this part.' }),
    count: z.number().int().min(1).meta({ description: 'Number of parts of the request.' }),
  })
  .refine((part) => part.index <= part.count, {
    path: ['index'],
    message: 'must not be greater than part.count',
  })
  .default({ index: 1, count: 1 })
  .meta({
    description: 'Which part of a split request this is (index <= count); defaults to 1 of 1.',
  });

export const verificationRequestedSchema = z
  .object({
    requestId: idString().meta({
      description:
        'Id (a UUID) shared by every part of one request; batch completion is per requestId.',
    }),
    tenantId: tenantIdString(),
    requestedBy: z
      .object({ userId: idString(), displayName: nonEmptyString(MAX_NAME_LENGTH).optional() })
      .meta({ description: 'The administrator who pressed the button.' }),
    users: z
      .array(requestedUserSchema)
      .min(1)
      .max(MAX_USERS_PER_PART)
      .meta({
        description: `1 to ${MAX_USERS_PER_PART} users; larger selections arrive as several parts.`,
      }),
    part: partSchema,
    filter: z
      .object({
        companyIds: z.array(idString()).max(MAX_LIST_ITEMS).optional(),
        search: nonEmptyString().optional().meta({ description: 'Recorded for audit only.' }),
      })
      .optional()
      .meta({ description: 'The search and filters the selection was made with (R6), for audit.' }),
    resend: z
      .boolean()
      .default(false)
      .meta({ description: 'Mail users again even inside the resend cool-down.' }),
    locale: localeSchema
      .optional()
      .meta({ description: "The request's locale, used for users that have none." }),
  })
  .meta({
    description:
      'One press of "Send verification message(s)" in the Users view (R1, R5, R6). Each user gets ' +
      'one outcome: sent, failed, or skipped with no_email, invalid_email, already_linked, ' +
      'already_verified or recently_sent.',
  });

export type VerificationRequestedData = z.output<typeof verificationRequestedSchema>;
export type VerificationRequestedInput = z.input<typeof verificationRequestedSchema>;
