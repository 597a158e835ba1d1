import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { downloadFailure, requestHttpsUpload } from './https-download';
import type { HttpsSources } from './https-sources';
import { ImportFileError } from './import-file-error';
import { type LocalFileRoots, openLocalUpload } from './local-file-roots';

export interface ImportFileRef {
  uri: string;
  sha256?: string;
  sizeBytes: number;
}

export interface FetchedFile {
  path: string;
  bytes: number;
  /** SHA-256 of the bytes, hex. */
  sha256: string;
  /** Every byte is valid UTF-8 (checked in the same pass as the checksum). */
  utf8: boolean;
  /** Removes a downloaded copy; a local file is left alone. */
  release(): Promise<void>;
}

/** Where uploads may come from: the deployment's trust boundary for files. */
export interface ImportLocations {
  /** `file://` only below these folders; absent turns `file://` off. */
  files?: LocalFileRoots;
  https: HttpsSources;
}

export interface FetchOptions {
  maxBytes: number;
  timeoutMs: number;
  /** The uploading tenant: with the per-tenant layout, only its own folder is readable. */
  tenantId: string;
  locations: ImportLocations;
}

/**
 * The file named by the event, checked before any row is read: where it is (see
 * ImportLocations), size limit, checksum and UTF-8 validity in one streaming pass. `https://`
 * files are downloaded to a temporary folder (the size limit stops the download); `file://`
 * files are read where they are.
 */
export async function fetchImportFile(
  ref: ImportFileRef,
  options: FetchOptions,
): Promise<FetchedFile> {
  if (ref.sizeBytes > options.maxBytes) throw tooLarge(ref.sizeBytes, options.maxBytes);
  const url = parseUri(ref.uri);
  if (url.protocol === 'file:') return checkLocal(url, ref, options);
  if (url.protocol === 'https:') return download(url, ref, options);
  throw new ImportFileError('forbidden_location', `unsupported URI scheme ${url.protocol}`);
}

function parseUri(uri: string): URL {
  try {
    return new URL(uri);
  } catch {
    throw new ImportFileError('forbidden_location', 'the file URI is not a URL');
  }
}

async function checkLocal(
  url: URL,
  ref: ImportFileRef,
  options: FetchOptions,
): Promise<FetchedFile> {
  const file = await openLocalUpload(url, options.tenantId, options.locations.files);
  try {
    if (file.size > options.maxBytes) throw tooLarge(file.size, options.maxBytes);
    const check = new FileCheck(options.maxBytes);
    await pipeline(file.handle.createReadStream({ autoClose: false }), check.stream(), discard());
    const sha256 = verifyChecksum(check, ref);
    const { path } = file;
    return { path, bytes: check.bytes, sha256, utf8: check.utf8, release: async () => undefined };
  } finally {
    await file.handle.close();
  }
}

async function download(url: URL, ref: ImportFileRef, options: FetchOptions): Promise<FetchedFile> {
  const folder = await mkdtemp(join(tmpdir(), 'user-import-'));
  const path = join(folder, 'upload');
  const release = () => rm(folder, { recursive: true, force: true });
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await requestHttpsUpload(url, options.locations.https, signal);
    const announced = Number(response.headers['content-length']);
    if (announced > options.maxBytes) {
      response.destroy();
      throw tooLarge(announced, options.maxBytes);
    }
    const check = new FileCheck(options.maxBytes);
    await pipeline(response, check.stream(), createWriteStream(path)).catch((error: unknown) => {
      throw downloadFailure(error, signal);
    });
    const sha256 = verifyChecksum(check, ref);
    return { path, bytes: check.bytes, sha256, utf8: check.utf8, release };
  } catch (error) {
    await release();
    throw error;
  }
}

/** Counts, hashes and validates UTF-8 as the bytes pass; stops past the size limit. */
class FileCheck {
  bytes = 0;
  utf8 = true;
  private readonly hash = createHash('sha256');
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly maxBytes: number) {}

  stream(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.bytes += chunk.length;
        if (this.bytes > this.maxBytes) return done(tooLarge(this.bytes, this.maxBytes));
        this.hash.update(chunk);
        if (this.utf8) {
          try {
            this.decoder.decode(chunk, { stream: true });
          } catch {
            this.utf8 = false;
          }
        }
        done(null, chunk);
      },
      flush: (done) => {
        if (this.utf8) {
          try {
            this.decoder.decode();
          } catch {
            this.utf8 = false;
          }
        }
        done();
      },
    });
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** The file's SHA-256, once it matches the one the upload named (if it named one). */
function verifyChecksum(check: FileCheck, ref: ImportFileRef): string {
  const actual = check.digest();
  if (ref.sha256 && actual !== ref.sha256.toLowerCase())
    throw new ImportFileError(
      'checksum_mismatch',
      `the file's SHA-256 is ${actual}, the upload said ${ref.sha256.toLowerCase()}`,
    );
  return actual;
}

function tooLarge(bytes: number, max: number): ImportFileError {
  return new ImportFileError(
    'too_large',
    `the file is larger than the limit of ${max} bytes (${bytes}+)`,
  );
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
