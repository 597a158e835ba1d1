import type { ImportRejectionReason } from '@app/contracts';
import type { RowOutcome } from './decide-import-rows';

/** The two columns the report adds to the uploaded ones. */
export const REPORT_COLUMNS = ['Status', 'Orsak'] as const;

const STATUS_TEXT: Readonly<Record<RowOutcome['kind'], string>> = {
  updated: 'Uppdaterad (updated)',
  unchanged: 'Oförändrad (unchanged)',
  rejected: 'Avvisad (rejected)',
};

// Swedish for the administrator, the contract's code beside it for support and scripts.
const REASON_TEXT: Readonly<Record<ImportRejectionReason, string>> = {
  invalid_email: 'Ogiltig e-postadress (invalid_email)',
  already_linked: 'Användaren är redan kopplad till Visma Connect (already_linked)',
  missing_user_id: 'Användar-ID saknas (missing_user_id)',
  duplicate_user: 'Användaren finns flera gånger med olika adresser (duplicate_user)',
  email_in_use: 'Adressen används av en annan användare (email_in_use)',
};

/** The report's cells for one row's outcome: Status, Orsak. */
export function reportCells(outcome: RowOutcome): [string, string] {
  return [
    STATUS_TEXT[outcome.kind],
    outcome.kind === 'rejected' ? REASON_TEXT[outcome.reason] : '',
  ];
}
