import { z } from 'zod';
import { emailAddress } from '../email-address';
import { MAIL_LANES } from '../lanes';
import {
  idString,
  localeSchema,
  MAX_NAME_LENGTH,
  nonEmptyString,
  tenantIdString,
} from '../primitives';

/**
 * Internal: one user's verification mail is due. The decision step writes it in the same update
 * as the user's state; the mail step consumes it, so a slow SMTP server never stalls decisions.
 * It carries no token: the mail step issues one when it sends.
 */
export const verificationMailRequestedSchema = z
  .object({
    tenantId: tenantIdString(),
    userId: idString(),
    requestId: idString(),
    part: z
      .number()
      .int()
      .min(1)
      .meta({ description: 'The request part that holds this user (its part.index).' }),
    slot: z
      .number()
      .int()
      .min(0)
      .meta({ description: "The user's place in that part's record: what the mail step settles." }),
    sendId: idString().meta({ description: 'Deterministic per user and request: names the send.' }),
    email: emailAddress().meta({
      description: 'The address the decision found; the mail step rechecks it.',
    }),
    displayName: nonEmptyString(MAX_NAME_LENGTH).optional(),
    locale: localeSchema.optional(),
    lane: z.enum(MAIL_LANES).optional().meta({
      description:
        "'interactive' for a small request (one part, few users): it travels on its own topic and goes first at the SMTP connections, so it never waits behind a bulk request. Absent: bulk.",
    }),
  })
  .meta({ description: "Internal to the product: one user's verification mail is due (R1, R5)." });

export type VerificationMailRequestedData = z.output<typeof verificationMailRequestedSchema>;
