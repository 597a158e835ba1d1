import { v5 as uuidv5 } from 'uuid';
import type { EventType } from './event-types';
import type { VerificationStatus } from './payloads/verification-status-changed';

/**
 * Fixed namespace of this project's name-based ids. Changing it changes every deterministic id,
 * which would let consumers see already-emitted facts again.
 */
export const EVENT_ID_NAMESPACE = '9eefae0a-668d-4383-a8b9-e30a810871f1';

// The contract refuses NUL in every id, so ('a','bc') and ('ab','c') stay distinct; the check
// below keeps that true for a part that did not come through the contract.
const SEPARATOR = '\u0000';

/**
 * UUID v5 of the event type and the parts that identify one logical fact. Re-emitting the same
 * fact (after a crash or a redelivery) yields the same CloudEvents `id`, which consumers dedupe on.
 */
export function deterministicEventId(type: EventType, ...parts: string[]): string {
  // A bug, never data: the part is not quoted, it may be an address.
  if (parts.some((part) => part.includes(SEPARATOR)))
    throw new Error(`a part of a ${type} id contains NUL, which would make ids collide`);
  return uuidv5([type, ...parts].join(SEPARATOR), EVENT_ID_NAMESPACE);
}

/** One VismaConnectLinked per user and address; addresses compare case-insensitively. */
export function vismaConnectLinkedId(tenantId: string, userId: string, email: string): string {
  return deterministicEventId('VismaConnectLinked', tenantId, userId, email.toLowerCase());
}

/** One EmailVerified per verification link used: two POSTs of one link are one fact. */
export function emailVerifiedByLinkId(linkHash: string): string {
  return deterministicEventId('EmailVerified', 'link', linkHash);
}

/**
 * One VerificationBatchCompleted per request, however many parts or redeliveries it had. A
 * request id is the tenant's: another tenant's request with the same id is another fact.
 */
export function verificationBatchCompletedId(tenantId: string, requestId: string): string {
  return deterministicEventId('VerificationBatchCompleted', tenantId, requestId);
}

/** One UserImportCompleted per import of a tenant. */
export function userImportCompletedId(tenantId: string, importId: string): string {
  return deterministicEventId('UserImportCompleted', tenantId, importId);
}

/**
 * One status change per user, new status and cause; `causeId` is the id of the event or step
 * that caused it, so a later, separate change to the same status still gets its own id.
 */
export function verificationStatusChangedId(
  tenantId: string,
  userId: string,
  status: VerificationStatus,
  causeId: string,
): string {
  return deterministicEventId('VerificationStatusChanged', tenantId, userId, status, causeId);
}
