import type { VerificationRequestedData } from '@app/contracts';
import type { OutboxBatch } from '@app/messaging';
import { statusChangedEvent } from './status-changed-event';
import type { Cause, StatusChange, UserState, UserStateStore } from './user-state';

export interface RecordedRequest {
  changes: StatusChange[];
  /** The VerificationStatusChanged events saved with the states, to publish. */
  outbox: OutboxBatch;
}

type RequestedUser = VerificationRequestedData['users'][number];

/**
 * Records the users of one VerificationRequested part: saves an address the administrator
 * entered (R1) unless the user is already linked, and reports every state that changed.
 * One read and one bulk write per part, never a round trip per user.
 */
export class RecordVerificationRequest {
  constructor(private readonly store: UserStateStore) {}

  async execute(request: VerificationRequestedData, cause: Cause): Promise<RecordedRequest> {
    const users = lastEntryPerUser(request.users);
    const known = await this.store.findByUserIds(
      request.tenantId,
      users.map((u) => u.userId),
    );
    const byId = new Map(known.map((s) => [s.userId, s]));

    const changed: UserState[] = [];
    for (const user of users) {
      const before = byId.get(user.userId);
      const after = nextState(request.tenantId, user, before);
      if (!before || before.status !== after.status || before.email !== after.email) {
        changed.push(after);
      }
    }
    const changes = changed.map((s): StatusChange => ({
      tenantId: s.tenantId,
      userId: s.userId,
      status: s.status,
      email: s.email,
      requestId: request.requestId,
    }));
    const outbox = await this.store.saveMany(
      changed.map((state, i) => ({
        state,
        events: [statusChangedEvent(changes[i] as StatusChange, cause)],
      })),
    );
    return { changes, outbox };
  }
}

function nextState(
  tenantId: string,
  user: RequestedUser,
  before: UserState | undefined,
): UserState {
  const base: UserState = before ?? {
    tenantId,
    userId: user.userId,
    email: null,
    status: 'no_email',
  };
  const profile = {
    displayName: user.displayName ?? base.displayName,
    companyId: user.companyId ?? base.companyId,
    locale: user.locale ?? base.locale,
  };
  // A linked user's address belongs to Visma Connect now; it is never overwritten.
  if (base.status === 'linked' || !user.email || user.email === base.email) {
    return { ...base, ...profile };
  }
  // A new address starts unverified, whatever the old one had reached.
  return { ...base, ...profile, email: user.email, status: 'unverified' };
}

// An administrator's selection may list a user twice; the last entry is the one meant.
function lastEntryPerUser(users: readonly RequestedUser[]): RequestedUser[] {
  return [...new Map(users.map((u) => [u.userId, u])).values()];
}
