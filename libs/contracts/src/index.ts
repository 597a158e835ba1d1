export * from './event-types';
export * from './topics';
export { MAX_ID_LENGTH, MAX_TEXT_LENGTH, LOCALES, type Locale } from './primitives';
export * from './email-address';
export * from './payloads/verification-requested';
export * from './payloads/user-import-uploaded';
export * from './payloads/email-verified';
export * from './payloads/visma-connect-linked';
export * from './payloads/verification-status-changed';
export * from './payloads/verification-batch-completed';
export * from './payloads/user-import-completed';
export * from './payloads/verification-mail-requested';
export * from './event-schemas';
export * from './cloud-event';
export {
  ContractViolationError,
  type ContractViolation,
  type ContractViolationCode,
  type ContractViolationIssue,
} from './contract-violation';
export * from './parse-event';
export * from './create-event';
export * from './event-ids';
export * from './kafka-keys';
export * from './lanes';
export * from './event-lane';
export * from './outbox';
