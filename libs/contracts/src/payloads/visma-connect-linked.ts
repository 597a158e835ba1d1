import { z } from 'zod';
import { emailAddress } from '../email-address';
import { idString, tenantIdString, utcTimestamp } from '../primitives';

export const vismaConnectLinkedSchema = z
  .object({
    tenantId: tenantIdString(),
    userId: idString(),
    email: emailAddress(),
    verifiedAt: utcTimestamp(),
    linkedAt: utcTimestamp(),
  })
  .meta({
    description:
      'The Visma Connect link is active (R3); the user can now create a password with ' +
      '"Glömt ditt lösenord?" on the login page (R4). Exactly one per user and address.',
  });

export type VismaConnectLinkedData = z.output<typeof vismaConnectLinkedSchema>;
export type VismaConnectLinkedInput = z.input<typeof vismaConnectLinkedSchema>;
