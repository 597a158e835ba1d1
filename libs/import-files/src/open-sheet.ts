import { open } from 'node:fs/promises';
import { csvRows, detectCsvDialect, type CsvDialect } from './csv-rows';
import type { FetchedFile } from './fetch-import-file';
import { ImportFileError } from './import-file-error';
import { DEFAULT_CELL_CHARS, DEFAULT_COLUMNS, tooManyRows } from './sheet-caps';
import { xlsxRows, type XlsxLimits } from './xlsx-rows';

export type SheetFormat = 'csv' | 'xlsx';

/** A file's rows, header first, and how it was written (the report goes back the same way). */
export interface Sheet {
  format: SheetFormat;
  csv?: CsvDialect;
  /** Reads the file from the start; call again for a second pass. */
  rows(): AsyncGenerator<string[]>;
}

/** The caps of either format; the cell and column caps default to 1,000 characters and 100. */
export type SheetLimits = XlsxLimits;

/** Decides by content, not by name: an .xlsx renamed .csv is still a workbook. */
export async function openSheet(file: FetchedFile, limits: SheetLimits): Promise<Sheet> {
  const head = await readHead(file.path, 4096);
  if (head.subarray(0, 4).equals(Buffer.from('PK\u0003\u0004', 'latin1')))
    return { format: 'xlsx', rows: () => xlsxRows(file.path, limits) };
  if (head.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0])))
    throw new ImportFileError(
      'unreadable_format',
      'the file is an old Excel workbook (.xls); save it as .xlsx or CSV and upload it again',
    );
  if (head.includes(0))
    throw new ImportFileError(
      'unreadable_format',
      'the file is neither CSV text nor an XLSX workbook',
    );
  const dialect = await detectCsvDialect(file.path, file.utf8);
  return {
    format: 'csv',
    csv: dialect,
    rows: () =>
      limitRows(
        csvRows(file.path, dialect, {
          maxCellChars: limits.maxCellChars ?? DEFAULT_CELL_CHARS,
          maxColumns: limits.maxColumns ?? DEFAULT_COLUMNS,
        }),
        limits.maxRows,
      ),
  };
}

async function* limitRows(
  rows: AsyncGenerator<string[]>,
  maxRows: number,
): AsyncGenerator<string[]> {
  let count = 0;
  for await (const row of rows) {
    // The header is not a data row.
    if (count++ > maxRows) throw tooManyRows(maxRows);
    yield row;
  }
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(bytes), 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
