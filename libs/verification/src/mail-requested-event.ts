import { type CloudEvent, createEvent, deterministicEventId, type MailLane } from '@app/contracts';
import { sendIdFor, type StandingOutcome } from './request-progress';
import type { UserState } from './user-state';

/**
 * The mail step's hand-off for one due user. Its id is the send's, so a repeat is
 * recognisable; it names the part and slot that hold the user's outcome, which the mail step
 * settles.
 */
export function mailRequestedEvent(
  state: UserState,
  request: { requestId: string; part: number; lane?: MailLane | undefined },
  standing: StandingOutcome,
  cause: { at: Date; source: string },
): CloudEvent<'VerificationMailRequested'> {
  const sendId = sendIdFor(state.tenantId, request.requestId, state.userId);
  return createEvent(
    'VerificationMailRequested',
    {
      tenantId: state.tenantId,
      userId: state.userId,
      requestId: request.requestId,
      part: request.part,
      slot: standing.slot,
      sendId,
      email: state.email ?? '',
      ...(state.displayName ? { displayName: state.displayName } : {}),
      ...(state.locale ? { locale: state.locale } : {}),
      ...(request.lane ? { lane: request.lane } : {}),
    },
    {
      source: cause.source,
      id: deterministicEventId('VerificationMailRequested', sendId),
      time: cause.at,
    },
  );
}
