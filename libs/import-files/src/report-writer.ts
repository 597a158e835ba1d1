import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { Sheet } from './open-sheet';

/**
 * A spreadsheet program runs a cell that starts with one of these as a formula (CSV injection,
 * OWASP). A leading apostrophe makes it text; the administrator sees the value as uploaded.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutralizeFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/**
 * Writes the report in the uploaded format: CSV with the upload's delimiter and encoding (UTF-8
 * with a BOM, so Excel reads it as UTF-8), or an XLSX workbook of plain text cells. `rows`
 * starts with the header row.
 */
export async function writeReport(
  sheet: Pick<Sheet, 'format' | 'csv'>,
  path: string,
  rows: AsyncIterable<string[]>,
): Promise<void> {
  if (sheet.format === 'xlsx') return writeXlsx(path, rows);
  const dialect = sheet.csv ?? { delimiter: ',', encoding: 'utf-8', bom: true };
  const out = createWriteStream(path);
  if (dialect.encoding === 'utf-8') out.write('\ufeff');
  await pipeline(
    Readable.from(neutralized(rows)),
    stringify({ delimiter: dialect.delimiter, record_delimiter: 'windows' }),
    encodeRecords(dialect.encoding),
    out,
  );
}

// csv-stringify emits one whole record per chunk, so no character is split between chunks.
function encodeRecords(encoding: string): Transform {
  return new Transform({
    transform: (chunk: Buffer | string, _encoding, done) =>
      done(null, iconv.encode(chunk.toString(), encoding)),
  });
}

async function* neutralized(rows: AsyncIterable<string[]>): AsyncGenerator<string[]> {
  for await (const row of rows) yield row.map(neutralizeFormula);
}

async function writeXlsx(path: string, rows: AsyncIterable<string[]>): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: false });
  const sheet = workbook.addWorksheet('Resultat');
  // Text cells, never formulas: a value starting with "=" stays a string in XLSX.
  for await (const row of rows) sheet.addRow(row).commit();
  sheet.commit();
  await workbook.commit();
}
