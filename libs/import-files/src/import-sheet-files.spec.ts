import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ImportSheetFiles } from './import-sheet-files';

const folder = mkdtempSync(join(tmpdir(), 'import-sheets-'));

describe('ImportSheetFiles reports', () => {
  it('creates the report folder for the worker user only (0700) and the report as 0600', async () => {
    const upload = join(folder, 'upload.csv');
    writeFileSync(upload, 'User ID;Visma Connect e-mail\nu1;u1@example.se\n');
    const reportDir = join(folder, 'new', 'reports');
    const files = new ImportSheetFiles({
      maxBytes: 1_000_000,
      fetchTimeoutMs: 5000,
      locations: { files: { roots: [folder], layout: 'flat' }, https: { allowedHosts: [] } },
      limits: { maxRows: 10, maxMemoryMb: 64, timeoutMs: 5000 },
      reportDir,
    });
    const opened = await files.open({
      tenantId: 't1',
      importId: 'i1',
      file: { uri: pathToFileURL(upload).toString(), sizeBytes: 45 },
    });
    async function* rows() {
      yield ['User ID', 'Status'];
    }
    const uri = await opened.writeReport(rows());
    await opened.release();
    expect(statSync(reportDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(folder, 'new')).mode & 0o777).toBe(0o700);
    expect(statSync(fileURLToPath(uri)).mode & 0o777).toBe(0o600);
  });
});
