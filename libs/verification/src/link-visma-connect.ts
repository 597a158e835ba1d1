import {
  createEvent,
  vismaConnectLinkedId,
  type AnyCloudEvent,
  type EmailVerifiedData,
  type OutboxBatch,
} from '@app/contracts';
import { sameAddress } from './email-address';
import { statusChangedEvent } from './status-changed-event';
import type { Cause, UserState, UserStateStore } from './user-state';

/** What one EmailVerified did. Only `linked` emits anything. */
export const LINK_OUTCOMES = ['linked', 'already_linked', 'stale', 'unknown_user'] as const;
export type LinkOutcome = (typeof LINK_OUTCOMES)[number];

/** Every EmailVerified handled, kept for operators: a stale one is recorded, not acted on. */
export interface EmailVerifiedRecord {
  eventId: string;
  tenantId: string;
  userId: string;
  method: EmailVerifiedData['method'];
  outcome: LinkOutcome;
  verifiedAt: Date;
  handledAt: Date;
}

export interface EmailVerifiedLog {
  /** Recording the same event twice keeps the first record. */
  record(entry: EmailVerifiedRecord): Promise<void>;
}

export interface LinkResult {
  outcome: LinkOutcome;
  /** The VismaConnectLinked and status change to publish, when linked. */
  published?: OutboxBatch;
}

/**
 * The linker (R2, R3): a proved address that is still the user's saved address links the user
 * to Visma Connect, once. The event's partition key is the user, so one user's events arrive
 * in order at one consumer; the guarded write covers what a rebalance could still overlap.
 */
export class LinkVismaConnect {
  constructor(
    private readonly states: Pick<UserStateStore, 'findByUserIds' | 'markLinked'>,
    private readonly log: EmailVerifiedLog,
  ) {}

  async execute(verified: EmailVerifiedData, cause: Cause): Promise<LinkResult> {
    const [state] = await this.states.findByUserIds(verified.tenantId, [verified.userId]);
    const verifiedAt = new Date(verified.verifiedAt);
    let result: LinkResult = { outcome: decide(state, verified.email) };
    if (result.outcome === 'linked' && state?.email) {
      const published = await this.states.markLinked({
        tenantId: state.tenantId,
        userId: state.userId,
        email: state.email,
        verifiedAt,
        linkedAt: cause.at,
        events: linkEvents(state, state.email, verifiedAt, cause),
      });
      // Changed between the read and the write: an address change makes the proof stale.
      result = published ? { outcome: 'linked', published } : { outcome: 'stale' };
    }
    await this.log.record({
      eventId: cause.eventId,
      tenantId: verified.tenantId,
      userId: verified.userId,
      method: verified.method,
      outcome: result.outcome,
      verifiedAt,
      handledAt: cause.at,
    });
    return result;
  }
}

function decide(state: UserState | undefined, provedEmail: string): LinkOutcome {
  if (!state) return 'unknown_user';
  if (state.status === 'linked') return 'already_linked';
  if (!sameAddress(state.email, provedEmail)) return 'stale';
  return 'linked';
}

function linkEvents(
  state: UserState,
  email: string,
  verifiedAt: Date,
  cause: Cause,
): AnyCloudEvent[] {
  const linked = createEvent(
    'VismaConnectLinked',
    {
      tenantId: state.tenantId,
      userId: state.userId,
      email,
      verifiedAt: verifiedAt.toISOString(),
      linkedAt: cause.at.toISOString(),
    },
    {
      source: cause.source,
      // Per user and address: whatever proved it, and however often, it is one fact.
      id: vismaConnectLinkedId(state.tenantId, state.userId, email),
      time: cause.at,
    },
  );
  const status = statusChangedEvent(
    { tenantId: state.tenantId, userId: state.userId, status: 'linked', email },
    cause,
  );
  return [linked, status];
}
