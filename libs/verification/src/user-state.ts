import type { AnyCloudEvent, Locale, VerificationStatus } from '@app/contracts';
import type { OutboxBatch } from '@app/messaging';

/** One user's place on the way to a Visma Connect link. One per tenant and user. */
export interface UserState {
  tenantId: string;
  userId: string;
  /** The saved address, or null when the user has none. */
  email: string | null;
  status: VerificationStatus;
  displayName?: string;
  companyId?: string;
  locale?: Locale;
  /** When the last verification mail to the current address was accepted by SMTP. */
  lastSentAt?: Date;
  /** Links sent and not yet used: only hashes, each tied to the address it was sent to. */
  tokens?: StoredToken[];
}

export interface StoredToken {
  /** SHA-256 of the token, hex; the token itself is never stored. */
  hash: string;
  email: string;
  expiresAt: Date;
}

/** A change of a user's state, as VerificationStatusChanged reports it. */
export interface StatusChange {
  tenantId: string;
  userId: string;
  status: VerificationStatus;
  email: string | null;
  reason?: string;
  requestId?: string;
}

/** A state to save and the events its change implies, saved together. */
export interface StateWrite {
  state: UserState;
  events: AnyCloudEvent[];
}

/** Where user states are kept; the persistence library implements it. */
export interface UserStateStore {
  findByUserIds(tenantId: string, userIds: readonly string[]): Promise<UserState[]>;
  /** Saves states with their events atomically per user; returns the events to publish. */
  saveMany(writes: readonly StateWrite[]): Promise<OutboxBatch>;
}

/** Which event caused a change: its id makes the resulting events' ids deterministic. */
export interface Cause {
  eventId: string;
  source: string;
  at: Date;
}
