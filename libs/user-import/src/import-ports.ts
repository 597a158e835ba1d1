import type { AnyCloudEvent, UserImportUploadedData } from '@app/contracts';
import type { OutboxBatch } from '@app/messaging';
import type { UserStateStore } from '@app/verification';
import type { RowOutcome } from './decide-import-rows';

/** The uploaded file as the import reads it: header row first, as many passes as needed. */
export interface ImportSheet {
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
  open(upload: Pick<UserImportUploadedData, 'importId' | 'file'>): Promise<ImportSheet>;
}

/** Who has which address in a tenant: lower-cased address → user id. */
export interface AddressDirectory {
  addressOwners(tenantId: string): Promise<Map<string, string>>;
}

export type ImportStateStore = Pick<UserStateStore, 'findByUserIds' | 'saveMany'> &
  AddressDirectory;

export interface ImportScope {
  tenantId: string;
  /** Data rows in the whole file. */
  rows: number;
}

/** What makes an import resumable and complete once; the persistence library implements it. */
export interface ImportProgressStore {
  isCompleted(importId: string): Promise<boolean>;
  /**
   * Stores a batch's outcomes unless stored already; returns the outcomes that stand. `scope`
   * names the tenant and the file's row count, so operators see progress against the whole.
   */
  recordBatch(
    importId: string,
    batch: number,
    outcomes: readonly RowOutcome[],
    scope: ImportScope,
  ): Promise<RowOutcome[]>;
  /** Inserts the completion with its events, once; undefined when it was completed already. */
  complete(
    importId: string,
    tenantId: string,
    events: readonly AnyCloudEvent[],
  ): Promise<OutboxBatch | undefined>;
}
