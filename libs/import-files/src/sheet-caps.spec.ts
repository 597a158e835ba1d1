import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  emptyRowsSheet,
  malformedSheet,
  sharedStringBomb,
  wideSheet,
  zipBomb,
} from '../../../test/support/import-bombs';
import { openSheet, type SheetLimits } from './open-sheet';

// Hostile files, generated small on disk, against the readers' caps (issue 18, finding 2).
const folder = mkdtempSync(join(tmpdir(), 'import-caps-'));
const limits: SheetLimits = { maxRows: 1000, maxMemoryMb: 64, timeoutMs: 20_000 };
let n = 0;
// Each bomb is read by a worker thread; a loaded machine needs more than jest's 5 seconds.
jest.setTimeout(30_000);

async function readAll(content: Buffer, extra: Partial<SheetLimits> = {}) {
  const path = join(folder, `f${n++}`);
  writeFileSync(path, content);
  const file = { path, bytes: content.length, sha256: '', utf8: true, release: async () => {} };
  const sheet = await openSheet(file, { ...limits, ...extra });
  const rows: string[][] = [];
  for await (const row of sheet.rows()) rows.push(row);
  return rows;
}

const xlsxSpools = () => readdirSync(tmpdir()).filter((name) => name.startsWith('xlsx-read-'));

describe('the caps on what an uploaded file may hold', () => {
  it('fails a shared string of 8 MB used in 1,000 cells on its first cell, quoting nothing', async () => {
    const error = await readAll(sharedStringBomb()).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'too_large',
      message: 'the cell in row 2, column 1 has more than 1000 characters',
    });
  });

  it('stops a zip bomb at the unzipped cap, leaving no temporary file behind', async () => {
    const started = Date.now();
    await expect(readAll(zipBomb(1024 ** 3), { maxUnzippedMb: 16 })).rejects.toMatchObject({
      code: 'too_large',
      message: 'the workbook unpacks to more than 16 MB',
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(xlsxSpools()).toEqual([]);
  });

  it('fails a sheet of 16,384 columns', async () => {
    await expect(readAll(wideSheet())).rejects.toMatchObject({
      code: 'too_large',
      message: 'row 1 has values beyond column 100',
    });
  });

  it('skips empty rows but fails a sheet of more empty rows than rows allowed', async () => {
    expect(await readAll(emptyRowsSheet(900))).toEqual([
      ['Användar-ID', 'E-post Visma Connect'],
      ['u1'],
    ]);
    await expect(readAll(emptyRowsSheet(5000))).rejects.toMatchObject({
      code: 'too_large',
      message: 'the sheet has more than 1000 empty rows',
    });
  });

  it('caps CSV cells, columns and records the same way', async () => {
    const header = 'User ID;Visma Connect e-mail\n';
    await expect(readAll(Buffer.from(`${header}u1;${'x'.repeat(1001)}\n`))).rejects.toMatchObject({
      code: 'too_large',
      message: 'the cell in row 2, column 2 has more than 1000 characters',
    });
    await expect(
      readAll(Buffer.from(`${header}${Array.from({ length: 101 }, () => 'v').join(';')}\n`)),
    ).rejects.toMatchObject({ code: 'too_large', message: 'row 2 has values beyond column 100' });
    // One line of a megabyte fails before csv-parse has built it.
    await expect(
      readAll(Buffer.from(`${header}"${'y'.repeat(1_000_000)}"\n`)),
    ).rejects.toMatchObject({
      code: 'too_large',
      message: expect.stringMatching(/^a row holds more than 100000 characters/),
    });
    // Padding past the last column allowed is dropped, not refused.
    const rows = await readAll(Buffer.from(`${header}u1;a@example.se${';'.repeat(5000)}\n`));
    expect(rows[1]).toHaveLength(100);
  });

  it('describes a broken file without quoting it', async () => {
    const secret = 'root:x:0:0:root:/root:/bin/bash';
    const failure = (content: Buffer) => readAll(content).catch((e: Error) => e);
    expect(await failure(Buffer.from(`a;b\nu1;${secret}"x;y\n`))).toMatchObject({
      code: 'unreadable_format',
      message: 'the CSV file cannot be read: a cell has a quote inside unquoted text (line 2)',
    });
    expect(await failure(Buffer.from(`a;b\n"u1"${secret};x\n`))).toMatchObject({
      code: 'unreadable_format',
      message:
        'the CSV file cannot be read: a quoted cell has text after its closing quote (line 2)',
    });
    expect(await failure(malformedSheet(secret))).toMatchObject({
      code: 'unreadable_format',
      message: 'the XLSX file cannot be read: it is damaged or not an Excel workbook',
    });
  });
});
