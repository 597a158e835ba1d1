import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fetchImportFile, type ImportFileRef, type ImportLocations } from './fetch-import-file';
import { openSheet, type SheetLimits } from './open-sheet';
import { writeReport } from './report-writer';

export interface ImportSheetFilesOptions {
  maxBytes: number;
  fetchTimeoutMs: number;
  /** Where uploads may come from (upload roots, allowed hosts). */
  locations: ImportLocations;
  limits: SheetLimits;
  /** Where reports are written; their `file://` URI is the completion's `reportUri`. */
  reportDir: string;
}

/** An uploaded file opened for an import: rows to read (twice), a report to write. */
export interface OpenedImportSheet {
  sha256: string;
  rows(): AsyncGenerator<string[]>;
  writeReport(rows: AsyncIterable<string[]>): Promise<string>;
  release(): Promise<void>;
}

/** Opens uploads from `file://` and `https://` URIs and keeps reports in a folder. */
export class ImportSheetFiles {
  constructor(private readonly options: ImportSheetFilesOptions) {}

  async open(upload: {
    tenantId: string;
    importId: string;
    file: ImportFileRef;
  }): Promise<OpenedImportSheet> {
    const fetched = await fetchImportFile(upload.file, {
      maxBytes: this.options.maxBytes,
      timeoutMs: this.options.fetchTimeoutMs,
      tenantId: upload.tenantId,
      locations: this.options.locations,
    });
    try {
      const sheet = await openSheet(fetched, this.options.limits);
      return {
        sha256: fetched.sha256,
        rows: () => sheet.rows(),
        writeReport: async (rows) => {
          const folder = resolve(this.options.reportDir);
          // Reports hold a tenant's users: a folder made here is the worker's user's alone.
          await mkdir(folder, { recursive: true, mode: 0o700 });
          const path = join(
            folder,
            `${reportName(upload.tenantId, upload.importId)}.${sheet.format}`,
          );
          await writeReport(sheet, path, rows);
          return pathToFileURL(path).toString();
        },
        release: () => fetched.release(),
      };
    } catch (error) {
      await fetched.release();
      throw error;
    }
  }
}

/**
 * One name per tenant and import: another tenant's import with the same id gets another file.
 * Ids may hold any character; the name keeps the readable ones and a hash of both ids whole.
 */
export function reportName(tenantId: string, importId: string): string {
  const readable = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
  const hash = createHash('sha256')
    .update(JSON.stringify([tenantId, importId]))
    .digest('hex')
    .slice(0, 12);
  return `import-${readable(tenantId)}-${readable(importId)}-${hash}-rapport`;
}
