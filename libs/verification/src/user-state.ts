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
  /**
   * When the current address was saved. Links issued before it are void: they were sent to an
   * address the user has given up, even if the user later returns to it.
   */
  addressSetAt?: Date;
  /** When the user proved the current address (EmailVerified). */
  verifiedAt?: Date;
  /** When the Visma Connect link became active (VismaConnectLinked). */
  linkedAt?: Date;
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
  /** The state as read: only fields that differ from it are written (undefined: all). */
  before?: UserState;
  state: UserState;
  events: AnyCloudEvent[];
}

/** A verification mail accepted by SMTP, for the user's state. */
export interface SentMark {
  tenantId: string;
  userId: string;
  /** The address it went to: a user who has another one by now is left alone. */
  email: string;
  at: Date;
}

/** Where user states are kept; the persistence library implements it. */
export interface UserStateStore {
  findByUserIds(tenantId: string, userIds: readonly string[]): Promise<UserState[]>;
  /** Saves states with their events atomically per user; returns the events to publish. */
  saveMany(writes: readonly StateWrite[]): Promise<OutboxBatch>;
  /**
   * Records when a mail was accepted: the user reads back as `verification_sent` unless verified
   * or linked. Touches nothing else, so it cannot undo a concurrent decision or verification.
   */
  markSent(marks: readonly SentMark[]): Promise<void>;
  /**
   * Marks the user verified and linked with its events, only while the saved address is still
   * `link.email` and the user is not linked: undefined when that no longer holds.
   */
  markLinked(link: LinkWrite): Promise<OutboxBatch | undefined>;
}

/** The linker's one write to a user's state. */
export interface LinkWrite {
  tenantId: string;
  userId: string;
  /** The saved address as read; the write happens only if it is still this. */
  email: string;
  verifiedAt: Date;
  linkedAt: Date;
  events: AnyCloudEvent[];
}

/** Which event caused a change: its id makes the resulting events' ids deterministic. */
export interface Cause {
  eventId: string;
  source: string;
  at: Date;
}
