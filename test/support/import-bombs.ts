import { constants, deflateRawSync } from 'node:zlib';

/**
 * Hostile workbooks, a few kilobytes to a few megabytes on disk, built entry by entry so that
 * an entry can inflate to far more than the test could hold in memory. Shared by the unit and
 * e2e tests of the import's file caps.
 */

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const HEADER_CELLS = `<c r="A1" t="inlineStr"><is><t>Användar-ID</t></is></c><c r="B1" t="inlineStr"><is><t>E-post Visma Connect</t></is></c>`;

/** One 8 MB shared string referenced by 1,000 cells: 8 GB of text once every cell is copied. */
export function sharedStringBomb(cells = 1000, stringBytes = 8 * 1024 * 1024): Buffer {
  const rows: string[] = [`<row r="1">${HEADER_CELLS}</row>`];
  for (let r = 2; rows.length <= cells; r++)
    rows.push(`<row r="${r}"><c r="A${r}" t="s"><v>0</v></c><c r="B${r}"><v>1</v></c></row>`);
  return workbook({
    sheet: `<?xml version="1.0"?><worksheet xmlns="${NS}"><sheetData>${rows.join('')}</sheetData></worksheet>`,
    sharedStrings: `<?xml version="1.0"?><sst xmlns="${NS}"><si><t>${'x'.repeat(stringBytes)}</t></si></sst>`,
  });
}

/** A sheet whose XML inflates to `inflatedBytes` (gigabytes) of whitespace inside sheetData. */
export function zipBomb(inflatedBytes = 2 * 1024 ** 3): Buffer {
  const chunk = 1024 * 1024;
  const head = `<?xml version="1.0"?><worksheet xmlns="${NS}"><sheetData><row r="1">${HEADER_CELLS}</row>`;
  // Independently deflated pieces, each ending on a byte boundary (a sync flush), make one
  // valid deflate stream: each piece refers back only to itself.
  const sync = { finishFlush: constants.Z_SYNC_FLUSH, level: 9 };
  const spaces = deflateRawSync(Buffer.alloc(chunk, ' '), sync);
  const pieces = [deflateRawSync(Buffer.from(head), sync)];
  for (let n = 0; n < Math.floor(inflatedBytes / chunk); n++) pieces.push(spaces);
  pieces.push(deflateRawSync(Buffer.from('</sheetData></worksheet>')));
  return workbook({ sheet: { deflated: Buffer.concat(pieces), size: inflatedBytes } });
}

/** A header row and one data row of `columns` cells each (16,384 is Excel's widest). */
export function wideSheet(columns = 16_384): Buffer {
  const row = (r: number) => {
    const cells: string[] = [];
    for (let c = 1; c <= columns; c++) cells.push(`<c r="${columnName(c)}${r}"><v>${c}</v></c>`);
    return `<row r="${r}">${cells.join('')}</row>`;
  };
  return workbook({
    sheet: `<?xml version="1.0"?><worksheet xmlns="${NS}"><sheetData>${row(1)}${row(2)}</sheetData></worksheet>`,
  });
}

/** The template's header, `rows` empty rows, then one data row. */
export function emptyRowsSheet(rows = 1_000_000): Buffer {
  const empty: string[] = [];
  for (let r = 2; r < rows + 2; r++) empty.push(`<row r="${r}"/>`);
  const last = rows + 2;
  return workbook({
    sheet: `<?xml version="1.0"?><worksheet xmlns="${NS}"><sheetData><row r="1">${HEADER_CELLS}</row>${empty.join('')}<row r="${last}"><c r="A${last}" t="inlineStr"><is><t>u1</t></is></c></row></sheetData></worksheet>`,
  });
}

/** A sheet whose XML breaks right after `text`: a parser's message would quote it. */
export function malformedSheet(text: string): Buffer {
  return workbook({
    sheet: `<?xml version="1.0"?><worksheet xmlns="${NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>${text}</t></is></c></row></sheetData></worksheet><${text}"`,
  });
}

function columnName(n: number): string {
  let name = '';
  for (let rest = n; rest > 0; rest = Math.floor((rest - 1) / 26))
    name = String.fromCharCode(65 + ((rest - 1) % 26)) + name;
  return name;
}

type Entry = string | { deflated: Buffer; size: number };

/** A minimal workbook: sheet first, as Excel writes it, then shared strings if any. */
function workbook(parts: { sheet: Entry; sharedStrings?: string }): Buffer {
  const strings = parts.sharedStrings !== undefined;
  return zip([
    [
      '[Content_Types].xml',
      `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
    ],
    [
      '_rels/.rels',
      `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ],
    [
      'xl/workbook.xml',
      `<?xml version="1.0"?><workbook xmlns="${NS}" xmlns:r="${REL}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>${strings ? `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : ''}</Relationships>`,
    ],
    ['xl/worksheets/sheet1.xml', parts.sheet],
    ...(strings ? [['xl/sharedStrings.xml', parts.sharedStrings] as [string, Entry]] : []),
  ]);
}

function zip(entries: [string, Entry][]): Buffer {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, entry] of entries) {
    const plain = typeof entry === 'string' ? Buffer.from(entry) : undefined;
    const data = plain ? deflateRawSync(plain) : (entry as { deflated: Buffer }).deflated;
    const size = plain ? plain.length : (entry as { size: number }).size;
    // A bomb's checksum would take longer to compute than the test runs; readers stream
    // without checking it.
    const crc = plain ? crc32(plain) : 0;
    const fileName = Buffer.from(name);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(0x0800, 6);
    header.writeUInt16LE(8, 8);
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(size, 22);
    header.writeUInt16LE(fileName.length, 26);
    local.push(header, fileName, data);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(20, 4);
    record.writeUInt16LE(20, 6);
    record.writeUInt16LE(0x0800, 8);
    record.writeUInt16LE(8, 10);
    record.writeUInt32LE(crc, 16);
    record.writeUInt32LE(data.length, 20);
    record.writeUInt32LE(size, 24);
    record.writeUInt16LE(fileName.length, 28);
    record.writeUInt32LE(offset, 42);
    central.push(record, fileName);
    offset += header.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, directory, end]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
