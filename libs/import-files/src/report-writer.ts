import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { Sheet } from './open-sheet';

/**
 * A spreadsheet program runs a cell that starts with one of these as a formula (CSV injection,
 * OWASP); some read past leading spaces and line breaks first, so those count too. A
 * leading apostrophe makes it text; the administrator sees the value as uploaded.
 */
const FORMULA_START = /^[\t\r]|^\s*[=+\-@]/;

export function neutralizeFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

// Reports hold a tenant's user ids and addresses: readable by the worker's user only.
const FILE_MODE = 0o600;

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
  // Written beside and renamed over: a new file gets the mode whatever an earlier report had,
  // and nobody reads half a report.
  const partial = `${path}.${randomBytes(6).toString('hex')}.partial`;
  try {
    if (sheet.format === 'xlsx') await writeXlsx(partial, rows);
    else
      await writeCsv(sheet.csv ?? { delimiter: ',', encoding: 'utf-8', bom: true }, partial, rows);
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
}

async function writeCsv(
  dialect: NonNullable<Sheet['csv']>,
  path: string,
  rows: AsyncIterable<string[]>,
): Promise<void> {
  const out = createWriteStream(path, { flags: 'wx', mode: FILE_MODE });
  if (dialect.encoding === 'utf-8') out.write('\ufeff');
  // csv-stringify quotes a field holding the delimiter or a quote (doubling quotes), but with
  // CRLF records not one holding a lone CR or LF, which a spreadsheet reads as a new row.
  await pipeline(
    Readable.from(neutralized(rows)),
    stringify({
      delimiter: dialect.delimiter,
      record_delimiter: 'windows',
      quoted_match: /[\r\n]/,
    }),
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
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: createWriteStream(path, { flags: 'wx', mode: FILE_MODE }),
    useStyles: false,
  });
  const sheet = workbook.addWorksheet('Resultat');
  // Text cells, never formulas: a value starting with "=" stays a string in XLSX.
  for await (const row of rows) sheet.addRow(row).commit();
  sheet.commit();
  await workbook.commit();
}
