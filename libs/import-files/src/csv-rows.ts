import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { ImportFileError } from './import-file-error';
import { capRecord, DEFAULT_CELL_CHARS, DEFAULT_COLUMNS, type SheetCaps } from './sheet-caps';

export type CsvDelimiter = ';' | ',';
export type CsvEncoding = 'utf-8' | 'windows-1252';

/** How a CSV file was written: the report is written back the same way. */
export interface CsvDialect {
  delimiter: CsvDelimiter;
  encoding: CsvEncoding;
  bom: boolean;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The dialect of a CSV file: UTF-8 when every byte is valid UTF-8 (the whole file was checked),
 * otherwise Windows-1252, which Swedish Excel writes; the delimiter is whichever of `;` and `,`
 * the header line has more of outside quotes.
 */
export async function detectCsvDialect(path: string, utf8: boolean): Promise<CsvDialect> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
    const head = buffer.subarray(0, bytesRead);
    const bom = head.subarray(0, 3).equals(UTF8_BOM);
    const encoding: CsvEncoding = utf8 ? 'utf-8' : 'windows-1252';
    const text = iconv.decode(bom ? head.subarray(3) : head, encoding);
    return { delimiter: delimiterOf(firstLine(text)), encoding, bom };
  } finally {
    await handle.close();
  }
}

/**
 * Every record of the file, header first, as arrays of cell texts, within the caps. csv-parse
 * holds at most `max_record_size` characters of one record, so a line of megabytes fails
 * before it is built.
 */
export async function* csvRows(
  path: string,
  dialect: CsvDialect,
  caps: Pick<SheetCaps, 'maxCellChars' | 'maxColumns'> = {
    maxCellChars: DEFAULT_CELL_CHARS,
    maxColumns: DEFAULT_COLUMNS,
  },
): AsyncGenerator<string[]> {
  const file = createReadStream(path, { start: dialect.bom ? 3 : 0 });
  const parser = file.pipe(iconv.decodeStream(dialect.encoding)).pipe(
    parse({
      delimiter: dialect.delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      // A spreadsheet pads rows with delimiters; a row of empty cells is not data either.
      skip_records_with_empty_values: true,
      max_record_size: caps.maxCellChars * caps.maxColumns,
      info: true,
    }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<CsvRecord>) {
      const capped = capRecord(record, info.lines, caps);
      if (capped instanceof ImportFileError) throw capped;
      yield capped;
    }
  } catch (error) {
    throw error instanceof ImportFileError ? error : csvError(error, caps);
  } finally {
    // A reader that stops early (a cap, a missing column) must not keep the file open.
    file.destroy();
  }
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

// csv-parse's messages quote the offending text (`value is "root:x:0:0…"`): describe, never quote.
const CSV_PROBLEMS: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted cell is never closed',
  INVALID_OPENING_QUOTE: 'a cell has a quote inside unquoted text',
  CSV_INVALID_CLOSING_QUOTE: 'a quoted cell has text after its closing quote',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a quoted cell has text after its closing quote',
};

function csvError(
  error: unknown,
  caps: Pick<SheetCaps, 'maxCellChars' | 'maxColumns'>,
): ImportFileError {
  const { code, lines } = (error ?? {}) as { code?: unknown; lines?: unknown };
  const where = typeof lines === 'number' ? ` (line ${lines})` : '';
  if (code === 'CSV_MAX_RECORD_SIZE')
    return new ImportFileError(
      'too_large',
      `a row holds more than ${caps.maxCellChars * caps.maxColumns} characters${where}`,
    );
  const problem = (typeof code === 'string' && CSV_PROBLEMS[code]) || 'the text is not valid CSV';
  return new ImportFileError(
    'unreadable_format',
    `the CSV file cannot be read: ${problem}${where}`,
  );
}

function firstLine(text: string): string {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) return text.slice(0, i);
  }
  return text;
}

function delimiterOf(line: string): CsvDelimiter {
  let semicolons = 0;
  let commas = 0;
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === ';') semicolons++;
    else if (!quoted && c === ',') commas++;
  }
  return semicolons > commas ? ';' : ',';
}
