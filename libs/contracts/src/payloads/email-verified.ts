import { z } from 'zod';
import { idString, nonEmptyString, utcTimestamp } from '../primitives';

export const VERIFICATION_METHODS = ['link', 'visma-connect'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

export const emailVerifiedSchema = z
  .object({
    tenantId: idString(),
    userId: idString(),
    email: nonEmptyString().meta({
      description:
        "The address that was proved. Counts only if it is still the user's saved address; " +
        'otherwise the event is stale and ignored.',
    }),
    verifiedAt: utcTimestamp(),
    method: z.enum(VERIFICATION_METHODS),
  })
  .meta({ description: 'The user proved the address (R2).' });

export type EmailVerifiedData = z.output<typeof emailVerifiedSchema>;
export type EmailVerifiedInput = z.input<typeof emailVerifiedSchema>;
