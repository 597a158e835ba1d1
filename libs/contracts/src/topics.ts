import type { EventType } from './event-types';

/**
 * Default topic per event type (spec "Topics"). Deployments may rename every topic; this library
 * only holds the defaults so that config code has one place to fall back to.
 */
export const DEFAULT_TOPICS: Readonly<Record<EventType, string>> = Object.freeze({
  VerificationRequested: 'hrm.verification-requested.v1',
  UserImportUploaded: 'hrm.user-import-uploaded.v1',
  EmailVerified: 'connect.email-verified.v1',
  VismaConnectLinked: 'connect.visma-connect-linked.v1',
  VerificationStatusChanged: 'connect.verification-status.v1',
  VerificationBatchCompleted: 'connect.verification-batch-completed.v1',
  UserImportCompleted: 'connect.user-import-completed.v1',
  VerificationMailRequested: 'connect.verification-mail-requested.v1',
});

/** Messages that break the contract are parked here with their original bytes (spec "Topics"). */
export function dlqTopicOf(topic: string): string {
  return `${topic}.dlq`;
}

/**
 * Retry topics are numbered so that each attempt can carry its own delay without blocking the
 * source partition.
 */
export function retryTopicOf(topic: string, attempt: number): string {
  if (!Number.isSafeInteger(attempt) || attempt < 1) {
    throw new RangeError('retry attempt must be a positive integer');
  }
  return `${topic}.retry.${attempt}`;
}
