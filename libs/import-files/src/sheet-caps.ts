import { ImportFileError } from './import-file-error';

/**
 * What one file may hold, whatever its format. An HRM cell is short (a user id, a name, a
 * department, an address), so a long cell or a wide row is a broken or hostile file, not data;
 * refusing it keeps what the reader hands on bounded: at most columns × cell length per row.
 */
export interface SheetCaps {
  maxRows: number;
  /** Longest cell, in characters. */
  maxCellChars: number;
  /** Highest column holding a value. */
  maxColumns: number;
}

export const DEFAULT_CELL_CHARS = 1000;
export const DEFAULT_COLUMNS = 100;

// Messages name rows, columns and limits, never a cell's content: they end up in
// UserImportCompleted.error.message, which the uploading tenant's systems read and log.
export const tooManyRows = (max: number) =>
  new ImportFileError('too_large', `the sheet has more than ${max} rows`);

export const cellTooLong = (row: number, column: number, max: number) =>
  new ImportFileError(
    'too_large',
    `the cell in row ${row}, column ${column} has more than ${max} characters`,
  );

export const tooManyColumns = (row: number, max: number) =>
  new ImportFileError('too_large', `row ${row} has values beyond column ${max}`);

/**
 * The record within the caps, or the error of the first cap it breaks; `row` counts from 1 for
 * the header. Empty cells past the last column allowed are dropped: a row of a million
 * delimiters would otherwise come back as a million cells in the report.
 */
export function capRecord(
  record: string[],
  row: number,
  caps: Pick<SheetCaps, 'maxCellChars' | 'maxColumns'>,
): string[] | ImportFileError {
  for (let i = caps.maxColumns; i < record.length; i++)
    if (record[i] !== '') return tooManyColumns(row, caps.maxColumns);
  const kept = record.length > caps.maxColumns ? record.slice(0, caps.maxColumns) : record;
  const long = kept.findIndex((cell) => cell.length > caps.maxCellChars);
  if (long >= 0) return cellTooLong(row, long + 1, caps.maxCellChars);
  return kept;
}
