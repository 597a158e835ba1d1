import type { AnyCloudEvent, Locale, VerificationStatus, OutboxBatch } from '@app/contracts';

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
  /**
   * How often the stored state was changed, as read (absent: never stored, or stored before
   * versions were kept). A write of a state read at one version applies only while it is
   * still that version, so two writers can never undo each other's change.
   */
  version?: number;
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

/** What saveMany did: the events to publish, and the writes another writer got ahead of. */
export interface SavedStates {
  published: OutboxBatch;
  /**
   * Writes not applied because the state changed since it was read (its version moved on, or
   * another writer created it first): read those users again and decide anew.
   */
  conflicts: StateWrite[];
}

/** Where user states are kept; the persistence library implements it. */
export interface UserStateStore {
  findByUserIds(tenantId: string, userIds: readonly string[]): Promise<UserState[]>;
  /**
   * Saves states with their events atomically per user, each only while the stored state is
   * still the version it was read at (`before`).
   */
  saveMany(writes: readonly StateWrite[]): Promise<SavedStates>;
  /**
   * Records when a mail was accepted: the user reads back as `verification_sent` unless verified
   * or linked. Only while the user still has the address it went to; touches nothing else, so it
   * cannot undo a concurrent decision or verification.
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

/**
 * Other writers kept changing some users between reading and writing them. Worth trying again
 * later (the consumer's retry topics do), when the users have settled.
 */
export class StateConflictError extends Error {
  readonly failureKind = 'transient' as const;
  readonly code = 'state_conflict';

  constructor(users: number) {
    super(`${users} user state(s) kept changing while they were being saved`);
    this.name = 'StateConflictError';
  }
}
