import type { ImportRow } from './decide-import-rows';
import type { ImportFailure } from './import-failure';
import { findColumns } from './import-columns';
import type { ImportSheet } from './import-ports';

export type ReadRows = { ok: true; rows: ImportRow[] } | { ok: false; failure: ImportFailure };

/** The template's two cells of every data row; other columns are not kept. */
export async function readImportRows(sheet: ImportSheet): Promise<ReadRows> {
  const rows: ImportRow[] = [];
  let columns: { userId: number; email: number } | undefined;
  for await (const cells of sheet.rows()) {
    if (!columns) {
      const found = findColumns(cells);
      if (!found.ok)
        return {
          ok: false,
          failure: {
            code: 'missing_column',
            message: `the header row has no column "${found.missing.join('", "')}"`,
          },
        };
      columns = found.columns;
      continue;
    }
    rows.push({
      userId: (cells[columns.userId] ?? '').trim(),
      email: (cells[columns.email] ?? '').trim(),
    });
  }
  if (!columns)
    return { ok: false, failure: { code: 'missing_column', message: 'the file is empty' } };
  return { ok: true, rows };
}
