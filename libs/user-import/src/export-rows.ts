import type { VerificationStatus } from '@app/contracts';
import type { UserState } from '@app/verification';
import { IMPORT_COLUMNS } from './import-columns';

/**
 * The export side of the Employees/users template (R7): the import's two columns first, so an
 * exported file can be edited and uploaded again (other columns are ignored on import).
 */
export const EXPORT_HEADER = [
  IMPORT_COLUMNS.userId[0],
  IMPORT_COLUMNS.email[0],
  'Status',
  'Adress sparad (address saved)',
  'Kopplad (linked)',
] as const;

const STATUS_TEXT: Readonly<Record<VerificationStatus, string>> = {
  no_email: 'Ingen adress (no_email)',
  unverified: 'Ej verifierad (unverified)',
  verification_sent: 'Verifieringsmeddelande skickat (verification_sent)',
  verified: 'Verifierad (verified)',
  linked: 'Kopplad till Visma Connect (linked)',
};

/** Header row, then one row per user. */
export async function* exportRows(states: AsyncIterable<UserState>): AsyncGenerator<string[]> {
  yield [...EXPORT_HEADER];
  for await (const state of states)
    yield [
      state.userId,
      state.email ?? '',
      STATUS_TEXT[state.status],
      state.addressSetAt?.toISOString() ?? '',
      state.linkedAt?.toISOString() ?? '',
    ];
}
