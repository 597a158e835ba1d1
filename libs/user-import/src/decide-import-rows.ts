import type { ImportRejectionReason } from '@app/contracts';
import { normalizeEmail, sameAddress, type UserState } from '@app/verification';

/** One data row of the file as the rules see it: the two cells, trimmed. */
export interface ImportRow {
  userId: string;
  email: string;
}

export type RowOutcome =
  | { kind: 'updated'; email: string }
  | { kind: 'unchanged' }
  | { kind: 'rejected'; reason: ImportRejectionReason };

/** What the rules need to know beyond the file: the users it names, and who has which address. */
export interface ImportContext {
  states: ReadonlyMap<string, UserState>;
  /** Lower-cased saved address → the user who has it, for every user of the tenant. */
  addressOwners: ReadonlyMap<string, string>;
}

/**
 * Every row's outcome, in the contract's terms (R7, R8, R9). The whole file is decided at once
 * because two rules look across rows: the same user with two different addresses applies
 * neither (`duplicate_user`), and one address for two users applies to neither (`email_in_use`).
 */
export function decideImportRows(rows: readonly ImportRow[], context: ImportContext): RowOutcome[] {
  const first = rows.map((row) => firstPass(row, context.states.get(row.userId)));
  const addressesOf = new Map<string, Set<string>>();
  const usersOf = new Map<string, Set<string>>();
  first.forEach((outcome, i) => {
    if (outcome.kind !== 'updated') return;
    const userId = rows[i]?.userId ?? '';
    const key = outcome.email.toLowerCase();
    (addressesOf.get(userId) ?? addressesOf.set(userId, new Set()).get(userId))?.add(key);
    (usersOf.get(key) ?? usersOf.set(key, new Set()).get(key))?.add(userId);
  });
  const applied = new Set<string>();
  return first.map((outcome, i): RowOutcome => {
    if (outcome.kind !== 'updated') return outcome;
    const userId = rows[i]?.userId ?? '';
    const key = outcome.email.toLowerCase();
    if ((addressesOf.get(userId)?.size ?? 0) > 1) return rejected('duplicate_user');
    const owner = context.addressOwners.get(key);
    if ((usersOf.get(key)?.size ?? 0) > 1 || (owner !== undefined && owner !== userId))
      return rejected('email_in_use');
    // The same user and address on several rows: one update, the rest change nothing.
    if (applied.has(userId)) return { kind: 'unchanged' };
    applied.add(userId);
    return outcome;
  });
}

function firstPass(row: ImportRow, state: UserState | undefined): RowOutcome {
  if (row.userId === '') return rejected('missing_user_id');
  if (row.email === '') return { kind: 'unchanged' };
  const email = normalizeEmail(row.email);
  if (!email) return rejected('invalid_email');
  if (sameAddress(email, state?.email)) return { kind: 'unchanged' };
  if (state?.status === 'linked') return rejected('already_linked');
  return { kind: 'updated', email };
}

function rejected(reason: ImportRejectionReason): RowOutcome {
  return { kind: 'rejected', reason };
}
