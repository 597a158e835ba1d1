import { constants } from 'node:fs';
import { type FileHandle, open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImportFileError } from './import-file-error';

/**
 * `per-tenant`: each root holds one folder per tenant and a tenant reads only `<root>/<tenantId>/`.
 * `flat`: anything below a root; only for a deployment whose roots hold one tenant's files.
 */
export type FileLayout = 'per-tenant' | 'flat';

/** The folders `file://` uploads may name (absolute paths, as configured). */
export interface LocalFileRoots {
  roots: readonly string[];
  layout: FileLayout;
}

/** A regular file below an allowed folder, opened, not yet read. */
export interface OpenedLocalFile {
  /** The real path (symlinks resolved): the one that was checked. */
  path: string;
  size: number;
  handle: FileHandle;
}

// One answer for "outside the roots" whether or not the file exists: the error must not tell an
// administrator what exists elsewhere on the worker's disk.
const OUTSIDE = 'the file is not in an upload folder of this tenant';

/**
 * Opens the file of a `file://` upload after checking, on the real path, that it is a regular
 * file below one of the tenant's folders. Refusals are `forbidden_location`, before any byte is
 * read; the message names nothing the administrator did not send.
 */
export async function openLocalUpload(
  url: URL,
  tenantId: string,
  files: LocalFileRoots | undefined,
): Promise<OpenedLocalFile> {
  if (!files || files.roots.length === 0)
    throw forbidden('file:// uploads are turned off in this deployment: use https://');
  const path = pathOf(url);
  const tenantFolder = folderOf(tenantId, files.layout);
  // The path as named must already lie below a root: a name elsewhere is refused without
  // touching the disk, so a missing and an existing file outside look the same.
  if (!files.roots.some((root) => isBelow(join(resolve(root), tenantFolder), path)))
    throw forbidden(OUTSIDE);
  const real = await realpath(path).catch(() => {
    throw new ImportFileError('file_unavailable', 'the file cannot be read');
  });
  if (!(await isBelowRealRoot(real, files.roots, tenantFolder))) throw forbidden(OUTSIDE);
  return openRegularFile(real);
}

function pathOf(url: URL): string {
  try {
    return fileURLToPath(url);
  } catch {
    // A host, or an encoded slash: not a plain local path.
    throw forbidden(OUTSIDE);
  }
}

/** The tenant's folder below a root: exactly one path segment, never `..`. */
function folderOf(tenantId: string, layout: FileLayout): string {
  if (layout === 'flat') return '';
  if (tenantId === '' || tenantId === '.' || tenantId === '..' || /[/\\\p{Cc}]/u.test(tenantId))
    throw forbidden('the tenant id cannot name an upload folder');
  return tenantId;
}

/** Symlinks of the file and of the root resolved; a tenant folder that is a link is not followed. */
async function isBelowRealRoot(
  real: string,
  roots: readonly string[],
  tenantFolder: string,
): Promise<boolean> {
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => undefined);
    if (realRoot !== undefined && isBelow(join(realRoot, tenantFolder), real)) return true;
  }
  return false;
}

function isBelow(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Only a regular file: a FIFO would block the worker, a device or folder is no upload. Checked
 * before opening (opening some devices has effects), and again on the open file, in case the
 * path was swapped in between.
 */
async function openRegularFile(path: string): Promise<OpenedLocalFile> {
  const before = await stat(path);
  if (!before.isFile()) throw forbidden('the upload is not a regular file');
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  const opened = await handle.stat();
  if (!opened.isFile() || opened.ino !== before.ino || opened.dev !== before.dev) {
    await handle.close();
    throw forbidden('the upload changed while it was checked');
  }
  return { path, size: opened.size, handle };
}

function forbidden(message: string): ImportFileError {
  return new ImportFileError('forbidden_location', message);
}
