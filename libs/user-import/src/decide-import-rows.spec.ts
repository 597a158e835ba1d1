import type { UserState } from '@app/verification';
import { decideImportRows, type ImportContext, type ImportRow } from './decide-import-rows';
import { findColumns } from './import-columns';

const state = (userId: string, email: string | null, status: UserState['status']): UserState => ({
  tenantId: 't',
  userId,
  email,
  status,
});

function context(states: UserState[]): ImportContext {
  return {
    states: new Map(states.map((s) => [s.userId, s])),
    addressOwners: new Map(
      states.flatMap((s) => (s.email ? [[s.email.toLowerCase(), s.userId] as const] : [])),
    ),
  };
}

describe('R7, R8, R9: decideImportRows', () => {
  const known = [
    state('anna', 'anna@example.se', 'verification_sent'),
    state('bo', 'bo@example.se', 'linked'),
    state('cia', null, 'no_email'),
  ];

  it('gives every row its contract outcome', () => {
    const rows: ImportRow[] = [
      { userId: 'anna', email: 'ANNA@example.se' }, // same address, other case
      { userId: 'anna2', email: '' }, // empty cell
      { userId: 'cia', email: ' cia@Example.SE ' }, // new, trimmed, domain lower-cased
      { userId: 'bo', email: 'bo.new@example.se' }, // linked (R8)
      { userId: 'bo', email: 'bo@example.se' }, // linked, same address
      { userId: '', email: 'x@example.se' },
      { userId: 'dan', email: 'not-an-address' }, // R9
      { userId: 'eva', email: 'anna@example.se' }, // someone else's
      { userId: 'new', email: 'new@example.se' }, // unknown to us so far
    ];
    expect(decideImportRows(rows, context(known))).toEqual([
      { kind: 'unchanged' },
      { kind: 'unchanged' },
      { kind: 'updated', email: 'cia@example.se' },
      { kind: 'rejected', reason: 'already_linked' },
      { kind: 'unchanged' },
      { kind: 'rejected', reason: 'missing_user_id' },
      { kind: 'rejected', reason: 'invalid_email' },
      { kind: 'rejected', reason: 'email_in_use' },
      { kind: 'updated', email: 'new@example.se' },
    ]);
  });

  it('applies neither row of a user listed with two addresses, and one of a repeated row', () => {
    const rows: ImportRow[] = [
      { userId: 'cia', email: 'a@example.se' },
      { userId: 'cia', email: 'b@example.se' },
      { userId: 'dan', email: 'dan@example.se' },
      { userId: 'dan', email: 'DAN@example.se' },
    ];
    expect(
      decideImportRows(rows, context(known)).map(
        (o) => o.kind + ('reason' in o ? `:${o.reason}` : ''),
      ),
    ).toEqual(['rejected:duplicate_user', 'rejected:duplicate_user', 'updated', 'unchanged']);
  });

  it('gives one address to nobody when two users claim it, and lets a user change to a free one', () => {
    const rows: ImportRow[] = [
      { userId: 'x', email: 'shared@example.se' },
      { userId: 'y', email: 'shared@example.se' },
      { userId: 'anna', email: 'anna.new@example.se' },
    ];
    const outcomes = decideImportRows(rows, context(known));
    expect(outcomes.slice(0, 2)).toEqual([
      { kind: 'rejected', reason: 'email_in_use' },
      { kind: 'rejected', reason: 'email_in_use' },
    ]);
    expect(outcomes[2]).toEqual({ kind: 'updated', email: 'anna.new@example.se' });
  });
});

describe('findColumns', () => {
  it('matches the Swedish or English headings, ignoring case and spacing', () => {
    expect(findColumns(['Namn', ' användar-id ', 'E-POST\u00a0 VISMA CONNECT'])).toEqual({
      ok: true,
      columns: { userId: 1, email: 2 },
    });
    expect(findColumns(['User ID', 'Visma Connect e-mail'])).toEqual({
      ok: true,
      columns: { userId: 0, email: 1 },
    });
  });

  it('names what is missing', () => {
    expect(findColumns(['User ID', 'E-mail'])).toEqual({
      ok: false,
      missing: ['E-post Visma Connect" / "Visma Connect e-mail'],
    });
  });
});
