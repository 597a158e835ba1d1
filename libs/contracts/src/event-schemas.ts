import type { z } from 'zod';
import type { EventType } from './event-types';
import { emailVerifiedSchema } from './payloads/email-verified';
import { userImportCompletedSchema } from './payloads/user-import-completed';
import { userImportUploadedSchema } from './payloads/user-import-uploaded';
import { verificationBatchCompletedSchema } from './payloads/verification-batch-completed';
import { verificationRequestedSchema } from './payloads/verification-requested';
import { verificationStatusChangedSchema } from './payloads/verification-status-changed';
import { verificationMailRequestedSchema } from './payloads/verification-mail-requested';
import { vismaConnectLinkedSchema } from './payloads/visma-connect-linked';

/**
 * The `data` schema of every event type: the one source for TypeScript types, runtime validation
 * and the generated AsyncAPI document. `satisfies` keeps each entry's precise type so that
 * `DataOf<T>` resolves per event.
 */
export const EVENT_SCHEMAS = {
  VerificationRequested: verificationRequestedSchema,
  UserImportUploaded: userImportUploadedSchema,
  EmailVerified: emailVerifiedSchema,
  VismaConnectLinked: vismaConnectLinkedSchema,
  VerificationStatusChanged: verificationStatusChangedSchema,
  VerificationBatchCompleted: verificationBatchCompletedSchema,
  UserImportCompleted: userImportCompletedSchema,
  VerificationMailRequested: verificationMailRequestedSchema,
} as const satisfies { [K in EventType]: z.ZodType };

/** `data` after parsing: defaults applied. */
export type DataOf<T extends EventType> = z.output<(typeof EVENT_SCHEMAS)[T]>;

/** `data` as a producer may write it: defaulted fields may be left out. */
export type DataInputOf<T extends EventType> = z.input<(typeof EVENT_SCHEMAS)[T]>;

type SchemaMap = { [K in EventType]: z.ZodType<DataOf<K>, DataInputOf<K>> };

const SCHEMAS: SchemaMap = EVENT_SCHEMAS;

/**
 * Looks a schema up through a mapped type so that generic callers keep the link between `type`
 * and its data type instead of getting a union of all seven.
 */
export function dataSchemaOf<T extends EventType>(type: T): SchemaMap[T] {
  return SCHEMAS[type];
}
