import type { AnyCloudEvent, UserImportUploadedData, OutboxBatch } from '@app/contracts';
import type { UserStateStore } from '@app/verification';
import type { RowOutcome } from './decide-import-rows';

/** The uploaded file as the import reads it: header row first, as many passes as needed. */
export interface ImportSheet {
  /** SHA-256 of the file's bytes, hex: a resumed import must be reading the same file. */
  sha256: string;
  rows(): AsyncIterable<string[]>;
  /** Writes the per-row report in the uploaded format; returns where it can be fetched. */
  writeReport(rows: AsyncIterable<string[]>): Promise<string>;
  release(): Promise<void>;
}

/**
 * Opens the file an upload names. A file that cannot be imported as a whole fails with an
 * error carrying `failureKind: 'permanent'` and a `code` (too_large, checksum_mismatch, ...).
 */
export interface ImportSheetSource {
  open(
    upload: Pick<UserImportUploadedData, 'tenantId' | 'importId' | 'file'>,
  ): Promise<ImportSheet>;
}

/** Who has which address in a tenant: lower-cased address → user id. */
export interface AddressDirectory {
  addressOwners(tenantId: string): Promise<Map<string, string>>;
}

export type ImportStateStore = Pick<UserStateStore, 'findByUserIds' | 'saveMany'> &
  AddressDirectory;

/** One import of one tenant, and the file it reads. */
export interface ImportScope {
  tenantId: string;
  importId: string;
  /** SHA-256 of the file: the same import id with another file is not the same import. */
  fileSha256: string;
  /** Data rows in the whole file. */
  rows: number;
}

/**
 * How an import goes on: `started` or `resumed` with the batch size it was cut into when it
 * started (every delivery cuts the rows the same way, whatever its own setting); `conflict`
 * when an import of this tenant with this id was started with another file.
 */
export type ImportStart = { kind: 'started' | 'resumed'; batchSize: number } | { kind: 'conflict' };

/** What makes an import resumable and complete once; the persistence library implements it. */
export interface ImportProgressStore {
  /** The completed import of this tenant with this id, if any, with the file it read. */
  completedImport(
    tenantId: string,
    importId: string,
  ): Promise<{ fileSha256?: string | undefined } | undefined>;
  /**
   * Starts the import's record, or finds the one an earlier delivery of it started.
   * `batchSize` is this delivery's; a resumed import keeps the one it started with.
   */
  begin(scope: ImportScope, batchSize: number): Promise<ImportStart>;
  /**
   * Stores a batch's outcomes unless stored already, and counts them in the import's progress
   * once; returns the outcomes that stand (a stored batch of another size is refused).
   */
  recordBatch(
    scope: ImportScope,
    batch: number,
    outcomes: readonly RowOutcome[],
  ): Promise<RowOutcome[]>;
  /** Records the completion with its events, once; undefined when it was completed already. */
  complete(
    tenantId: string,
    importId: string,
    events: readonly AnyCloudEvent[],
  ): Promise<OutboxBatch | undefined>;
}
