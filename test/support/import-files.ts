import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import JSZip from 'jszip';

/** Files an administrator could upload, written to a folder of the test's own. */
export class UploadFolder {
  constructor(readonly folder: string) {
    mkdirSync(folder, { recursive: true });
  }

  csv(
    name: string,
    rows: string[][],
    dialect: { delimiter: ';' | ','; encoding: 'utf-8' | 'windows-1252'; bom: boolean },
  ): string {
    const quote = (cell: string) =>
      /[;,"\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
    const text = rows.map((row) => row.map(quote).join(dialect.delimiter)).join('\r\n') + '\r\n';
    return this.write(
      name,
      Buffer.concat([
        dialect.bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0),
        iconv.encode(text, dialect.encoding),
      ]),
    );
  }

  async xlsx(name: string, rows: (string | number)[][]): Promise<string> {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Anställda');
    for (const row of rows) sheet.addRow(row);
    return this.write(name, Buffer.from(await workbook.xlsx.writeBuffer()));
  }

  /**
   * A workbook of a few hundred kilobytes whose shared strings unpack to about 400 MB: what a
   * hostile or broken upload can look like.
   */
  async zipBomb(name: string): Promise<string> {
    const zip = new JSZip();
    zip.file(
      '[Content_Types].xml',
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    );
    zip.file(
      '_rels/.rels',
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    );
    zip.file(
      'xl/workbook.xml',
      '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
    );
    zip.file(
      'xl/_rels/workbook.xml.rels',
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    );
    const one = `<si><t>${'x'.repeat(4000)}</t></si>`;
    zip.file(
      'xl/sharedStrings.xml',
      `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${one.repeat(100_000)}</sst>`,
    );
    zip.file(
      'xl/worksheets/sheet1.xml',
      '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
    );
    const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    return this.write(name, bytes);
  }

  write(name: string, bytes: Buffer): string {
    const path = join(this.folder, name);
    writeFileSync(path, bytes);
    return path;
  }
}

/** The `file` of a UserImportUploaded for a file on disk. */
export function fileRef(path: string, name = path.split('/').pop() ?? 'upload') {
  const bytes = readFileSync(path);
  return {
    uri: pathToFileURL(path).toString(),
    name,
    sizeBytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}
