import { type CloudEvent, createEvent, verificationStatusChangedId } from '@app/contracts';
import type { Cause, StatusChange } from './user-state';

/**
 * The VerificationStatusChanged for one change. Its id is derived from the user, the new status
 * and the event that caused it, so re-handling that event re-emits the same id, not a new fact.
 */
export function statusChangedEvent(
  change: StatusChange,
  cause: Cause,
): CloudEvent<'VerificationStatusChanged'> {
  return createEvent(
    'VerificationStatusChanged',
    {
      tenantId: change.tenantId,
      userId: change.userId,
      status: change.status,
      email: change.email,
      ...(change.reason ? { reason: change.reason } : {}),
      ...(change.requestId ? { requestId: change.requestId } : {}),
      occurredAt: cause.at.toISOString(),
    },
    {
      source: cause.source,
      id: verificationStatusChangedId(change.tenantId, change.userId, change.status, cause.eventId),
      time: cause.at,
    },
  );
}
