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
 * Every row's outcome, in the contract's terms (R7, R8, R9), for a file held whole: the rules
 * of one row (firstPass) and the two that look across rows (CrossRowRules) composed.
 */
export function decideImportRows(rows: readonly ImportRow[], context: ImportContext): RowOutcome[] {
  const first = rows.map((row) => firstPass(row, context.states.get(row.userId)));
  const rules = new CrossRowRules();
  first.forEach((outcome, i) => rules.note(rows[i]?.userId ?? '', outcome));
  return first.map((outcome, i) =>
    rules.decide(rows[i]?.userId ?? '', outcome, context.addressOwners),
  );
}

/** What one row says on its own, given the user's state as read. */
export function firstPass(row: ImportRow, state: UserState | undefined): RowOutcome {
  if (row.userId === '') return rejected('missing_user_id');
  if (row.email === '') return { kind: 'unchanged' };
  const email = normalizeEmail(row.email);
  if (!email) return rejected('invalid_email');
  if (sameAddress(email, state?.email)) return { kind: 'unchanged' };
  if (state?.status === 'linked') return rejected('already_linked');
  return { kind: 'updated', email };
}

const SEVERAL = Symbol('several');

/**
 * The two rules that look across rows: the same user with two different addresses applies
 * neither (`duplicate_user`), and one address for two users applies to neither
 * (`email_in_use`). Every row's first outcome is noted first; then each row is decided, in
 * file order. It keeps one address per user and one user per address, not the rows: an
 * import's memory grows with its users, not with the columns of its file.
 */
export class CrossRowRules {
  private readonly addressOf = new Map<string, string | typeof SEVERAL>();
  private readonly userOf = new Map<string, string | typeof SEVERAL>();
  private readonly applied = new Set<string>();

  note(userId: string, first: RowOutcome): void {
    if (first.kind !== 'updated') return;
    const key = first.email.toLowerCase();
    const address = this.addressOf.get(userId);
    this.addressOf.set(userId, address === undefined || address === key ? key : SEVERAL);
    const user = this.userOf.get(key);
    this.userOf.set(key, user === undefined || user === userId ? userId : SEVERAL);
  }

  /** A row's outcome once every row was noted; `owners`: address → user, tenant-wide. */
  decide(userId: string, first: RowOutcome, owners: ReadonlyMap<string, string>): RowOutcome {
    if (first.kind !== 'updated') return first;
    const key = first.email.toLowerCase();
    if (this.addressOf.get(userId) === SEVERAL) return rejected('duplicate_user');
    const owner = owners.get(key);
    if (this.userOf.get(key) === SEVERAL || (owner !== undefined && owner !== userId))
      return rejected('email_in_use');
    // The same user and address on several rows: one update, the rest change nothing.
    if (this.applied.has(userId)) return { kind: 'unchanged' };
    this.applied.add(userId);
    return first;
  }
}

function rejected(reason: ImportRejectionReason): RowOutcome {
  return { kind: 'rejected', reason };
}
