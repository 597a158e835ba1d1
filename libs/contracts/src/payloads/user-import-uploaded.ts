import { z } from 'zod';
import {
  count,
  idString,
  MAX_NAME_LENGTH,
  MAX_URI_LENGTH,
  nonEmptyString,
  tenantIdString,
} from '../primitives';

export const USER_IMPORT_TEMPLATE = 'employees-users';

const fileSchema = z
  .object({
    // Only schemes the import worker can fetch; anything else would fail later and less clearly.
    uri: z
      .string()
      .max(MAX_URI_LENGTH, { abort: true })
      .regex(/^(file|https):\/\//, { error: 'must start with file:// or https://' })
      .meta({ description: 'Where to fetch the file: file:///... or https://...' }),
    name: nonEmptyString(MAX_NAME_LENGTH).meta({ examples: ['anstallda.xlsx'] }),
    contentType: nonEmptyString(MAX_NAME_LENGTH).optional(),
    sizeBytes: count(),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, { error: 'must be 64 hexadecimal characters' })
      .optional()
      .meta({ description: 'Hex SHA-256 of the file; a mismatch fails the whole import.' }),
  })
  .meta({
    description:
      'CSV (; or , separated; UTF-8 with or without BOM, or Windows-1252) or XLSX (first sheet, ' +
      'header on row 1) with columns "Användar-ID" (or "User ID") and "E-post Visma Connect" ' +
      '(or "Visma Connect e-mail").',
  });

export const userImportUploadedSchema = z
  .object({
    importId: idString(),
    tenantId: tenantIdString(),
    uploadedBy: z.object({ userId: idString() }),
    template: z.literal(USER_IMPORT_TEMPLATE),
    file: fileSchema,
    verifyAfterImport: z
      .boolean()
      .default(false)
      .meta({
        description:
          'Extension to the v1 contract: when true, send verification mails to the users whose ' +
          'address this import updated (as one VerificationRequested whose requestId is ' +
          'reported in UserImportCompleted.verificationRequestId). Defaults to false.',
      }),
  })
  .meta({
    description:
      'An Employees/users template file was uploaded (R7). Addresses are only imported for users ' +
      'without a Visma Connect link (R8); invalid addresses are not stored (R9).',
  });

export type UserImportUploadedData = z.output<typeof userImportUploadedSchema>;
export type UserImportUploadedInput = z.input<typeof userImportUploadedSchema>;
