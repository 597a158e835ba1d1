import { z } from 'zod';
import { emailAddress } from '../email-address';
import { idString, tenantIdString, utcTimestamp } from '../primitives';

export const VERIFICATION_METHODS = ['link', 'visma-connect'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

export const emailVerifiedSchema = z
  .object({
    tenantId: tenantIdString(),
    userId: idString(),
    email: emailAddress().meta({
      description:
        'The address that was proved (ASCII local part, IDNA2008 domain). ' +
        "Counts only if it is still the user's saved address; " +
        'otherwise the event is stale and ignored.',
    }),
    verifiedAt: utcTimestamp(),
    method: z.enum(VERIFICATION_METHODS),
  })
  .meta({ description: 'The user proved the address (R2).' });

export type EmailVerifiedData = z.output<typeof emailVerifiedSchema>;
export type EmailVerifiedInput = z.input<typeof emailVerifiedSchema>;
