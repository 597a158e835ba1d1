import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fetchImportFile, type ImportLocations } from './fetch-import-file';
import type { FileLayout } from './local-file-roots';

// Real files, folders, symlinks and a FIFO in a temporary folder: the checks are about the disk.
const base = realpathSync(mkdtempSync(join(tmpdir(), 'import-roots-')));
const root = join(base, 'uploads');
const outside = join(base, 'outside');
const CSV = 'Användar-ID;E-post Visma Connect\r\nu1;u1@example.se\r\n';

function file(path: string, content = CSV): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

const own = file(join(root, 'tenant-a', 'own.csv'));
const nested = file(join(root, 'tenant-a', '2024', 'nested.csv'));
const theirs = file(join(root, 'tenant-b', 'theirs.csv'));
const atRoot = file(join(root, 'at-root.csv'));
const secret = file(join(outside, 'secret.csv'), 'root:x:0:0:root:/root:/bin/bash\n');
symlinkSync(secret, join(root, 'tenant-a', 'escape.csv'));
symlinkSync(own, join(root, 'tenant-a', 'alias.csv'));
symlinkSync(join(root, 'tenant-b'), join(root, 'tenant-c'));
execFileSync('mkfifo', [join(root, 'tenant-a', 'pipe.csv')]);
mkdirSync(join(root, 'tenant-a', 'folder.csv'));

const locations = (
  layout: FileLayout = 'per-tenant',
  roots: string[] = [root],
): ImportLocations => ({ files: { roots, layout }, https: { allowedHosts: [] } });

const fetch = (uri: string, tenantId = 'tenant-a', where: ImportLocations = locations()) =>
  fetchImportFile(
    { uri, sizeBytes: 10 },
    { maxBytes: 1_000_000, timeoutMs: 5000, tenantId, locations: where },
  );

const uri = (path: string) => pathToFileURL(path).toString();
const refused = { code: 'forbidden_location' };

describe('file:// uploads and the upload roots (IMPORT_FILE_ROOTS)', () => {
  it('reads a regular file below the tenant’s own folder, nested or through a link inside it', async () => {
    await expect(fetch(uri(own))).resolves.toMatchObject({ path: own, utf8: true });
    await expect(fetch(uri(nested))).resolves.toMatchObject({ path: nested });
    // The checked, real path is what the readers open later.
    await expect(fetch(uri(join(root, 'tenant-a', 'alias.csv')))).resolves.toMatchObject({
      path: own,
    });
  });

  it('refuses a file outside every root, with one answer whether it exists or not', async () => {
    const passwd = fetch('file:///etc/passwd');
    const missing = fetch('file:///etc/no-such-file-here');
    await expect(passwd).rejects.toMatchObject(refused);
    await expect(missing).rejects.toMatchObject(refused);
    const [a, b] = await Promise.all([
      passwd.catch((e: Error) => e),
      missing.catch((e: Error) => e),
    ]);
    expect((a as Error).message).toBe((b as Error).message);
    expect((a as Error).message).not.toMatch(/passwd|root:x/);
  });

  it('refuses another tenant’s folder, and ../ out of the own one', async () => {
    await expect(fetch(uri(theirs))).rejects.toMatchObject(refused);
    await expect(fetch(`${uri(root)}/tenant-a/../tenant-b/theirs.csv`)).rejects.toMatchObject(
      refused,
    );
    await expect(fetch(`${uri(root)}/tenant-a/%2e%2e/tenant-b/theirs.csv`)).rejects.toMatchObject(
      refused,
    );
    await expect(fetch(`${uri(root)}/tenant-a%2f..%2ftenant-b/theirs.csv`)).rejects.toMatchObject(
      refused,
    );
    // The root itself holds no tenant's files in the per-tenant layout.
    await expect(fetch(uri(atRoot))).rejects.toMatchObject(refused);
  });

  it('refuses a tenant id that is not one folder name', async () => {
    for (const tenantId of ['..', '.', '', 'tenant-a/../tenant-b', 'a\\b', 'a\u0000b'])
      await expect(fetch(uri(own), tenantId)).rejects.toMatchObject(refused);
    // "..": the file of tenant-b seen from <root>/.. would otherwise be "below" it.
    await expect(fetch(uri(theirs), '..')).rejects.toMatchObject(refused);
  });

  it('refuses a symlink that leads out of the root, and a tenant folder that is a link', async () => {
    await expect(fetch(uri(join(root, 'tenant-a', 'escape.csv')))).rejects.toMatchObject(refused);
    await expect(
      fetch(uri(join(root, 'tenant-c', 'theirs.csv')), 'tenant-c'),
    ).rejects.toMatchObject(refused);
  });

  it('refuses a FIFO and a folder without reading them (a FIFO would block)', async () => {
    await expect(fetch(uri(join(root, 'tenant-a', 'pipe.csv')))).rejects.toMatchObject(refused);
    await expect(fetch(uri(join(root, 'tenant-a', 'folder.csv')))).rejects.toMatchObject(refused);
  });

  it('tells a missing file in the own folder apart: file_unavailable', async () => {
    await expect(fetch(uri(join(root, 'tenant-a', 'gone.csv')))).rejects.toMatchObject({
      code: 'file_unavailable',
    });
  });

  it('flat layout: anything below a root, nothing outside it', async () => {
    await expect(fetch(uri(atRoot), 'x', locations('flat'))).resolves.toMatchObject({
      path: atRoot,
    });
    await expect(fetch(uri(theirs), 'x', locations('flat'))).resolves.toMatchObject({
      path: theirs,
    });
    await expect(fetch(uri(secret), 'x', locations('flat'))).rejects.toMatchObject(refused);
    await expect(
      fetch(uri(join(root, 'tenant-a', 'escape.csv')), 'x', locations('flat')),
    ).rejects.toMatchObject(refused);
    // A root named with a trailing slash or through "..": still the same folder, not its parent.
    await expect(
      fetch(uri(secret), 'x', locations('flat', [`${root}/`, join(root, 'tenant-a', '..')])),
    ).rejects.toMatchObject(refused);
  });

  it('refuses every file:// upload where file URIs are turned off', async () => {
    const off: ImportLocations = { https: { allowedHosts: [] } };
    await expect(fetch(uri(own), 'tenant-a', off)).rejects.toMatchObject(refused);
    await expect(fetch(uri(own), 'tenant-a', locations('per-tenant', []))).rejects.toMatchObject(
      refused,
    );
  });

  it('refuses a file:// URI with a host', async () => {
    await expect(fetch(`file://elsewhere${own}`)).rejects.toMatchObject(refused);
  });
});
