/**
 * The event names of contract v1. They are the CloudEvents `type` attribute verbatim, so a rename
 * here is a breaking change for HRM, the identity service and operators.
 */
export const EVENT_TYPES = {
  VerificationRequested: 'VerificationRequested',
  UserImportUploaded: 'UserImportUploaded',
  EmailVerified: 'EmailVerified',
  VismaConnectLinked: 'VismaConnectLinked',
  VerificationStatusChanged: 'VerificationStatusChanged',
  VerificationBatchCompleted: 'VerificationBatchCompleted',
  UserImportCompleted: 'UserImportCompleted',
  // Internal to the product (the mail step's input); documented, not for other consumers.
  VerificationMailRequested: 'VerificationMailRequested',
} as const;

export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

/** Ordered like the spec's topic table, so generated docs read in the same order. */
export const ALL_EVENT_TYPES: readonly EventType[] = Object.values(EVENT_TYPES);

const KNOWN = new Set<string>(ALL_EVENT_TYPES);

/** Input comes from the wire, so membership is checked against the set rather than trusted. */
export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && KNOWN.has(value);
}
