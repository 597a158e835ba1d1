import type { Connection } from 'mongoose';
import type { Locale, VerificationRequestedData } from '@app/contracts';
import {
  USER_STATE_COLLECTION,
  type UserStateDocument,
  userStateId,
  userStateSchema,
} from '@app/persistence';
import type { UserState } from '@app/verification';

export type RequestedUser = VerificationRequestedData['users'][number];

/** One user of a bench population: what the HRM sends for it, and what the database knew. */
export interface PopulationUser {
  entry: RequestedUser;
  /** The state before the request, as the repository reads it back; none for unknown users. */
  prior?: UserState;
}

/** Which prior state a user has and which address the request carries for it. */
interface Profile {
  prior: 'none' | 'unverified' | 'recently_sent' | 'verified' | 'linked';
  entered: 'own' | 'new' | 'none' | 'invalid';
}

/**
 * The mix of one bulk request, repeated every 20 users. Most users are unknown and get their
 * entered address saved and a mail; some already have an address (never mailed, mailed within
 * the cool-down, or given up for a new one); some are verified or linked and are skipped.
 * Of every 20: 14 are due a mail, 7 have a prior state, 14 get a state write (13 of them new).
 */
const MIX: readonly Profile[] = [
  ...Array<Profile>(11).fill({ prior: 'none', entered: 'own' }), // send, new state
  { prior: 'none', entered: 'none' }, // no_email, new state
  { prior: 'none', entered: 'invalid' }, // invalid_email, new state
  ...Array<Profile>(2).fill({ prior: 'unverified', entered: 'own' }), // send, hand-off only
  { prior: 'recently_sent', entered: 'own' }, // recently_sent, no write
  { prior: 'recently_sent', entered: 'new' }, // address changed: send
  { prior: 'verified', entered: 'own' }, // already_verified, no write
  ...Array<Profile>(2).fill({ prior: 'linked', entered: 'own' }), // already_linked, no write
];

const HOUR_MS = 3_600_000;

/**
 * How long ago the "recently sent" users were mailed. The bench runs the decisions with a
 * cool-down of a day (SEED_COOL_DOWN_MS), so they stay inside it however long a window lasts.
 */
export const SEED_COOL_DOWN_MS = 24 * HOUR_MS;
const RECENTLY_SENT_AGO_MS = HOUR_MS;

/** `count` users of one tenant in the mix above; deterministic for a given `now`. */
export function population(tenantId: string, count: number, now: Date): PopulationUser[] {
  return Array.from({ length: count }, (_, n) => {
    const profile = MIX[n % MIX.length] as Profile;
    const userId = `user-${String(n).padStart(6, '0')}`;
    const own = `${userId}@example.se`;
    const locale: Locale = n % 4 === 0 ? 'en' : 'sv';
    const details = { displayName: `Användare ${n}`, companyId: `company-${n % 7}`, locale };
    const entry: RequestedUser = { userId, ...details, ...enteredEmail(profile, own, userId) };
    const prior = priorState(profile, { tenantId, userId, email: own, ...details }, now);
    return { entry, ...(prior ? { prior } : {}) };
  });
}

function enteredEmail(profile: Profile, own: string, userId: string): { email?: string } {
  switch (profile.entered) {
    case 'own':
      return { email: own };
    case 'new':
      return { email: `${userId}.new@example.se` };
    case 'invalid':
      return { email: 'not an address' };
    case 'none':
      return {};
  }
}

function priorState(
  profile: Profile,
  base: Pick<UserState, 'tenantId' | 'userId' | 'email' | 'displayName' | 'companyId' | 'locale'>,
  now: Date,
): UserState | undefined {
  const addressSetAt = new Date(now.getTime() - 30 * 24 * HOUR_MS);
  const sentAt = new Date(now.getTime() - RECENTLY_SENT_AGO_MS);
  switch (profile.prior) {
    case 'none':
      return undefined;
    case 'unverified':
      return { ...base, status: 'unverified', addressSetAt };
    case 'recently_sent':
      return { ...base, status: 'verification_sent', addressSetAt, lastSentAt: sentAt };
    case 'verified':
      return { ...base, status: 'verified', addressSetAt, lastSentAt: sentAt, verifiedAt: now };
    case 'linked':
      return {
        ...base,
        status: 'linked',
        addressSetAt,
        lastSentAt: sentAt,
        verifiedAt: sentAt,
        linkedAt: sentAt,
      };
  }
}

/**
 * Inserts the prior states through the product's own schema (defaults, timestamps, strict
 * validation), so they are stored exactly as the product stores them; insertMany is the fastest
 * way in, and the seed is outside every window.
 */
export async function seedUserStates(
  connection: Connection,
  users: readonly PopulationUser[],
): Promise<number> {
  // The repository registered the model on this connection; the same schema returns it.
  const model = connection.model<UserStateDocument>(USER_STATE_COLLECTION, userStateSchema);
  const docs = users.flatMap((u) => (u.prior ? [storedState(u.prior)] : []));
  for (let start = 0; start < docs.length; start += 1000)
    await model.insertMany(docs.slice(start, start + 1000), { ordered: false });
  return docs.length;
}

/**
 * A state as the repository stores it: `verification_sent` is `unverified` plus a send time,
 * and fields the state lacks are absent (the raw driver would store `undefined` as null).
 */
export function storedState(
  state: UserState,
): Omit<UserStateDocument, 'createdAt' | 'updatedAt' | 'outbox' | 'outboxAt'> {
  const defined = Object.fromEntries(
    Object.entries(state).filter(([, value]) => value !== undefined),
  ) as UserState;
  return {
    ...defined,
    _id: userStateId(state.tenantId, state.userId),
    status: state.status === 'verification_sent' ? 'unverified' : state.status,
  };
}
