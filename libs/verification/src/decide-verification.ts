import type { SkipReason } from '@app/contracts';
import { normalizeEmail, sameAddress } from './email-address';
import type { UserState } from './user-state';

/** One user's entry in a VerificationRequested, as far as the decision needs it. */
export interface RequestedEntry {
  tenantId: string;
  userId: string;
  /** An address the administrator entered (R1); saved first when allowed. */
  email?: string;
}

export interface DecisionPolicy {
  /** A user mailed less than this long ago is skipped as `recently_sent` unless `resend`. */
  coolDownMs: number;
}

export type Decision = { kind: 'send'; email: string } | { kind: 'skip'; reason: SkipReason };

export interface DecisionResult {
  decision: Decision;
  /** The user's state after the decision (with an entered address saved, if it was). */
  state: UserState;
  /** True when the entered address replaced another one: earlier links to it are void. */
  addressChanged: boolean;
}

/**
 * The contract's outcome for one user of a request (R1, R5), in its order: save an entered
 * address unless the user is linked; then skip users without a (valid) address, linked and
 * verified users, and users mailed within the cool-down; send to everyone else.
 */
export function decideVerification(
  entry: RequestedEntry,
  before: UserState | undefined,
  options: { resend: boolean; now: Date; policy: DecisionPolicy },
): DecisionResult {
  const current: UserState = before ?? {
    tenantId: entry.tenantId,
    userId: entry.userId,
    email: null,
    status: 'no_email',
  };
  const skip = (reason: SkipReason, state = current, addressChanged = false): DecisionResult => ({
    decision: { kind: 'skip', reason },
    state,
    addressChanged,
  });

  if (current.status === 'linked') return skip('already_linked');

  let state = current;
  let addressChanged = false;
  if (entry.email !== undefined) {
    const entered = normalizeEmail(entry.email);
    if (!entered) return skip('invalid_email');
    if (!sameAddress(entered, current.email)) {
      addressChanged = current.email !== null;
      // A new address starts over: unverified, and not inside anyone's cool-down.
      // Links sent to the old address die with it.
      state = {
        ...current,
        email: entered,
        status: 'unverified',
        lastSentAt: undefined,
        addressSetAt: options.now,
      };
    }
  }

  if (state.email === null) return skip('no_email', state, addressChanged);
  if (!normalizeEmail(state.email)) return skip('invalid_email', state, addressChanged);
  if (state.status === 'verified') return skip('already_verified', state, addressChanged);
  const sinceLastMail = state.lastSentAt
    ? options.now.getTime() - state.lastSentAt.getTime()
    : Infinity;
  if (!options.resend && sinceLastMail < options.policy.coolDownMs)
    return skip('recently_sent', state, addressChanged);
  return { decision: { kind: 'send', email: state.email }, state, addressChanged };
}
