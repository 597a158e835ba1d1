import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { fetchImportFile } from './fetch-import-file';
import { ImportFileError } from './import-file-error';
import { openSheet } from './open-sheet';
import { writeReport } from './report-writer';

// Real files in a temporary folder: the readers are streams over files, so that is what they get.
const folder = mkdtempSync(join(tmpdir(), 'import-files-'));
const limits = { maxRows: 1000, maxMemoryMb: 64, timeoutMs: 10_000 };
let n = 0;

async function read(content: Buffer, sha256?: string) {
  const path = join(folder, `f${n++}`);
  writeFileSync(path, content);
  const file = await fetchImportFile(
    {
      uri: pathToFileURL(path).toString(),
      sizeBytes: content.length,
      ...(sha256 ? { sha256 } : {}),
    },
    {
      maxBytes: 1_000_000,
      timeoutMs: 5000,
      tenantId: 't',
      locations: { files: { roots: [folder], layout: 'flat' }, https: { allowedHosts: [] } },
    },
  );
  const sheet = await openSheet(file, limits);
  const rows: string[][] = [];
  for await (const row of sheet.rows()) rows.push(row);
  return { sheet, rows };
}

const expected = [
  ['Användar-ID', 'Namn', 'E-post Visma Connect'],
  ['u1', 'Åsa Öberg', 'asa@example.se'],
  ['u2', 'Bo "Boss" Ek; chef', 'bo@example.se'],
  ['u3', 'Två\nrader', ''],
];

describe('reading an uploaded sheet', () => {
  it.each([
    ['semicolons, UTF-8 with BOM', ';', 'utf-8', true],
    ['commas, UTF-8 without BOM', ',', 'utf-8', false],
    ['semicolons, Windows-1252', ';', 'windows-1252', false],
  ] as const)('reads CSV with %s', async (_name, delimiter, encoding, bom) => {
    const quote = (cell: string) => (/[;,"\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
    const text = expected.map((row) => row.map(quote).join(delimiter)).join('\r\n') + '\r\n';
    const bytes = Buffer.concat([
      bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0),
      iconv.encode(text, encoding),
    ]);
    const { sheet, rows } = await read(bytes);
    expect(sheet.format).toBe('csv');
    expect(sheet.csv).toEqual({ delimiter, encoding, bom });
    expect(rows).toEqual(expected);
  });

  it('reads the first sheet of an XLSX workbook in a worker thread', async () => {
    const workbook = new ExcelJS.Workbook();
    const first = workbook.addWorksheet('Anställda');
    expected.forEach((row) => first.addRow(row));
    first.addRow([]);
    first.addRow(['u4', 'Siffror', 12345]);
    workbook.addWorksheet('Annat').addRow(['ignored']);
    const { sheet, rows } = await read(Buffer.from(await workbook.xlsx.writeBuffer()));
    expect(sheet.format).toBe('xlsx');
    expect(rows).toEqual([...expected, ['u4', 'Siffror', '12345']]);
  });

  it('refuses a checksum mismatch, an old .xls, binary data and an unclosed quote', async () => {
    const csv = Buffer.from('User ID,Visma Connect e-mail\nu1,a@example.se\n');
    await expect(read(csv, 'a'.repeat(64))).rejects.toMatchObject({ code: 'checksum_mismatch' });
    const sha = createHash('sha256').update(csv).digest('hex');
    await expect(read(csv, sha.toUpperCase())).resolves.toBeDefined();
    await expect(read(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0]))).rejects.toMatchObject({
      code: 'unreadable_format',
    });
    await expect(read(Buffer.from([1, 2, 0, 4]))).rejects.toBeInstanceOf(ImportFileError);
    await expect(read(Buffer.from('a;b\n"open;quote\n'))).rejects.toMatchObject({
      code: 'unreadable_format',
    });
    await expect(read(Buffer.from('PK\u0003\u0004 not a zip'))).rejects.toMatchObject({
      code: 'unreadable_format',
    });
  });

  it('stops at the row limit', async () => {
    const many = [
      'User ID;Visma Connect e-mail',
      ...Array.from({ length: 1001 }, (_, i) => `u${i};`),
    ];
    await expect(read(Buffer.from(many.join('\n')))).rejects.toMatchObject({ code: 'too_large' });
  });

  it('writes the report back as it came, with formulas made harmless', async () => {
    const path = join(folder, 'report.csv');
    async function* rows() {
      yield ['User ID', 'Status'];
      yield ['=HYPERLINK("http://evil")', 'Uppdaterad'];
    }
    await writeReport(
      { format: 'csv', csv: { delimiter: ';', encoding: 'windows-1252', bom: false } },
      path,
      rows(),
    );
    const { rows: back } = await read(readFileSync(path));
    expect(back[1]?.[0]).toBe(`'=HYPERLINK("http://evil")`);
  });
});
