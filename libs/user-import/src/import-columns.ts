/** The template's columns, each with its Swedish and English heading (contract). */
export const IMPORT_COLUMNS = {
  userId: ['Användar-ID', 'User ID'],
  email: ['E-post Visma Connect', 'Visma Connect e-mail'],
} as const;

export type ImportColumn = keyof typeof IMPORT_COLUMNS;

/** Where the template's columns are in a file's header row. */
export type ColumnPositions = Readonly<Record<ImportColumn, number>>;

// "  e-post   visma connect " and "E-POST VISMA CONNECT" are the same heading; NBSP counts as a
// space because spreadsheets produce it.
function headingKey(cell: string): string {
  return cell
    .normalize('NFC')
    .replace(/[\s\u00a0]+/g, ' ')
    .trim()
    .toLowerCase();
}

/** The positions of the template's columns, or the headings that are missing. */
export function findColumns(
  header: readonly string[],
): { ok: true; columns: ColumnPositions } | { ok: false; missing: string[] } {
  const keys = header.map(headingKey);
  const positionOf = (column: ImportColumn) =>
    keys.findIndex((key) => IMPORT_COLUMNS[column].some((name) => headingKey(name) === key));
  const userId = positionOf('userId');
  const email = positionOf('email');
  const missing = (['userId', 'email'] as const)
    .filter((column) => (column === 'userId' ? userId : email) < 0)
    .map((column) => IMPORT_COLUMNS[column].join('" / "'));
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, columns: { userId, email } };
}
