import type { Locale, VerificationStatus } from '@app/contracts';

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

/** Where user states are kept; the persistence library implements it. */
export interface UserStateStore {
  findByUserIds(tenantId: string, userIds: readonly string[]): Promise<UserState[]>;
  saveMany(states: readonly UserState[]): Promise<void>;
}
