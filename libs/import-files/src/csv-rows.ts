import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { ImportFileError } from './import-file-error';

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

/** Every record of the file, header first, as arrays of cell texts. */
export async function* csvRows(path: string, dialect: CsvDialect): AsyncGenerator<string[]> {
  const decoded = createReadStream(path, { start: dialect.bom ? 3 : 0 }).pipe(
    iconv.decodeStream(dialect.encoding),
  );
  const parser = decoded.pipe(
    parse({
      delimiter: dialect.delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      // A spreadsheet pads rows with delimiters; a row of empty cells is not data either.
      skip_records_with_empty_values: true,
    }),
  );
  try {
    for await (const record of parser as AsyncIterable<string[]>) yield record;
  } catch (error) {
    throw new ImportFileError(
      'unreadable_format',
      `the CSV file cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
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
