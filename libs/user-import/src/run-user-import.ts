import {
  createEvent,
  deterministicEventId,
  userImportCompletedId,
  type AnyCloudEvent,
  type CloudEvent,
  type ImportRejectionReason,
  type UserImportCompletedInput,
  type UserImportUploadedData,
  type OutboxBatch,
} from '@app/contracts';
import {
  sameAddress,
  StateConflictError,
  statusChangedEvent,
  type Cause,
  type StateWrite,
  type UserState,
} from '@app/verification';
import { CrossRowRules, firstPass, type ImportRow, type RowOutcome } from './decide-import-rows';
import { importFailureOf, type ImportFailure } from './import-failure';
import type {
  ImportProgressStore,
  ImportScope,
  ImportSheet,
  ImportSheetSource,
  ImportStateStore,
} from './import-ports';
import { REPORT_COLUMNS, reportCells } from './import-report';
import { OnePublicationInFlight, type Publish } from './one-publication-in-flight';
import { readImportRows } from './read-import-rows';

export interface ImportCounts {
  rows: number;
  updated: number;
  unchanged: number;
  rejected: number;
  reasons: Partial<Record<ImportRejectionReason, number>>;
}

export type ImportResult =
  | { kind: 'already_completed' }
  /** The tenant already has an import with this id, of another file: nothing was done. */
  | { kind: 'conflict' }
  | { kind: 'completed'; counts: ImportCounts; completion?: OutboxBatch }
  | { kind: 'failed'; failure: ImportFailure; completion?: OutboxBatch };

export interface ImportOptions {
  source: string;
  /**
   * Rows recorded and applied together; a crash repeats at most one batch's writes. An import
   * keeps the size it started with, so a changed setting never cuts its rows another way.
   */
  batchSize: number;
  /** Users in one VerificationRequested part (the contract allows 1000). */
  usersPerRequest: number;
  onProgress?: (progress: { importId: string; applied: number; rows: number }) => void;
}

/** Address writes of one batch tried this often when other writers change the same users. */
const SAVE_ATTEMPTS = 3;

/** Users whose states are read at once for the rows' own rules: one $in of _ids. */
const STATE_WINDOW = 1000;

/**
 * One UserImportUploaded (R7, R8, R9): read the file's two cells of every row, decide every
 * row, record and apply the outcomes batch by batch, write the report, complete once. A redelivery after a crash
 * follows the recorded outcomes, so no row is applied twice and the counts do not change.
 */
export class RunUserImport {
  constructor(
    private readonly sheets: ImportSheetSource,
    private readonly states: ImportStateStore,
    private readonly progress: ImportProgressStore,
    private readonly publish: Publish,
    private readonly options: ImportOptions,
  ) {}

  /**
   * Whether a completed import's id now comes with another file. A redelivery (same file) is
   * answered from the record; a file that cannot be compared (gone, unreadable, or the import
   * failed before reading it) changes nothing either way.
   */
  private async isAnotherFile(
    upload: UserImportUploadedData,
    storedSha256: string | undefined,
  ): Promise<boolean> {
    if (storedSha256 === undefined) return false;
    if (upload.file.sha256 !== undefined) return upload.file.sha256.toLowerCase() !== storedSha256;
    const sheet = await this.sheets.open(upload).catch(() => undefined);
    if (!sheet) return false;
    await sheet.release();
    return sheet.sha256 !== storedSha256;
  }

  async execute(upload: UserImportUploadedData, cause: Cause): Promise<ImportResult> {
    const completed = await this.progress.completedImport(upload.tenantId, upload.importId);
    if (completed)
      return (await this.isAnotherFile(upload, completed.fileSha256))
        ? { kind: 'conflict' }
        : { kind: 'already_completed' };
    let sheet: ImportSheet;
    try {
      sheet = await this.sheets.open(upload);
    } catch (error) {
      return this.failOn(error, upload, cause);
    }
    try {
      const read = await readImportRows(sheet);
      if (!read.ok) return await this.fail(upload, read.failure, cause);
      const scope: ImportScope = {
        tenantId: upload.tenantId,
        importId: upload.importId,
        fileSha256: sheet.sha256,
        rows: read.rows.length,
      };
      const start = await this.progress.begin(scope, this.options.batchSize);
      if (start.kind === 'conflict') return { kind: 'conflict' };
      const outcomes = await this.decideAndApply(scope, read.rows, start.batchSize, cause);
      const reportUri = await sheet.writeReport(reportRows(sheet, outcomes));
      const counts = countOutcomes(outcomes);
      const updatedUsers = read.rows.filter((_, i) => outcomes[i]?.kind === 'updated');
      const requests = upload.verifyAfterImport
        ? this.verificationRequests(upload, updatedUsers, cause)
        : [];
      const completed = completedEvent(upload, cause, this.options.source, {
        status: 'completed',
        ...counts,
        reportUri,
        ...(requests[0] ? { verificationRequestId: requests[0].data.requestId } : {}),
      });
      const completion = await this.progress.complete(upload.tenantId, upload.importId, [
        completed,
        ...requests,
      ]);
      return { kind: 'completed', counts, ...(completion ? { completion } : {}) };
    } catch (error) {
      return await this.failOn(error, upload, cause);
    } finally {
      await sheet.release();
    }
  }

  /**
   * Decides and applies the rows batch by batch. The users' states are read a window at a
   * time, twice: for each row's own rules, then again for the batch's writes; none is kept
   * across windows, so memory grows with the file's rows (two cells each), not its users'
   * states. A batch's events are published while the next batch is recorded, read and saved:
   * the import waits on one round trip at a time otherwise. At most one batch's publication is
   * in flight; its entries are in the users' outboxes already, so a crash loses none of them.
   */
  private async decideAndApply(
    scope: ImportScope,
    rows: readonly ImportRow[],
    batchSize: number,
    cause: Cause,
  ): Promise<RowOutcome[]> {
    const [firsts, owners] = await Promise.all([
      this.firstPasses(scope.tenantId, rows),
      this.states.addressOwners(scope.tenantId),
    ]);
    const rules = new CrossRowRules();
    firsts.forEach((first, i) => rules.note(rows[i]?.userId ?? '', first));
    const outcomes: RowOutcome[] = [];
    const publication = new OnePublicationInFlight(this.publish);
    try {
      for (let start = 0, batch = 0; start < rows.length; start += batchSize, batch++) {
        const decided = rows
          .slice(start, start + batchSize)
          .map((row, i) => rules.decide(row.userId, firsts[start + i]!, owners));
        const standing = await this.progress.recordBatch(scope, batch, decided);
        outcomes.push(...standing);
        const updates = standing.flatMap((outcome, i) =>
          outcome.kind === 'updated'
            ? [{ userId: rows[start + i]?.userId ?? '', email: outcome.email }]
            : [],
        );
        const states = await this.statesOf(
          scope.tenantId,
          updates.map((u) => u.userId),
        );
        await publication.next(await this.applyAddresses(scope.tenantId, updates, states, cause));
        this.options.onProgress?.({
          importId: scope.importId,
          applied: Math.min(start + batchSize, rows.length),
          rows: rows.length,
        });
      }
      await publication.finish();
    } finally {
      await publication.settle();
    }
    return outcomes;
  }

  /**
   * Each row's outcome by its own rules, reading the users' states a window at a time, the
   * next window's read in flight while one is decided.
   */
  private async firstPasses(tenantId: string, rows: readonly ImportRow[]): Promise<RowOutcome[]> {
    const read = (start: number) =>
      this.statesOf(
        tenantId,
        rows.slice(start, start + STATE_WINDOW).map((r) => r.userId),
      );
    const firsts: RowOutcome[] = [];
    let next = rows.length > 0 ? read(0) : undefined;
    for (let start = 0; next; start += STATE_WINDOW) {
      const states = await next;
      next = start + STATE_WINDOW < rows.length ? read(start + STATE_WINDOW) : undefined;
      // A read that fails while the one before it is decided is reported by its await.
      next?.catch(() => undefined);
      for (const row of rows.slice(start, start + STATE_WINDOW))
        firsts.push(firstPass(row, states.get(row.userId)));
    }
    return firsts;
  }

  /**
   * Saves the batch's new addresses and returns what was saved for publication. A user another
   * writer changed since it was read (another import worker on the same import, a link) is
   * read again: an address already saved is not saved twice, and a user linked meanwhile keeps
   * the address it has (R8).
   */
  private async applyAddresses(
    tenantId: string,
    updates: readonly { userId: string; email: string }[],
    states: Map<string, UserState>,
    cause: Cause,
  ): Promise<OutboxBatch[]> {
    const saved: OutboxBatch[] = [];
    let todo = updates;
    for (let attempt = 1; todo.length > 0; attempt++) {
      const writes = todo.flatMap((u) => addressWrite(tenantId, u.userId, u.email, states, cause));
      if (writes.length === 0) break;
      const { published, conflicts } = await this.states.saveMany(writes);
      saved.push(published);
      if (conflicts.length === 0) break;
      if (attempt === SAVE_ATTEMPTS) {
        // What was saved is published before giving up, not left to the sweep.
        for (const batch of saved) await this.publish(batch);
        throw new StateConflictError(conflicts.length);
      }
      const again = new Set(conflicts.map((c) => c.state.userId));
      todo = todo.filter((u) => again.has(u.userId));
      for (const state of await this.states.findByUserIds(tenantId, [...again]))
        states.set(state.userId, state);
    }
    return saved;
  }

  private async statesOf(
    tenantId: string,
    userIds: readonly string[],
  ): Promise<Map<string, UserState>> {
    const ids = [...new Set(userIds.filter((id) => id !== ''))];
    const states = await this.states.findByUserIds(tenantId, ids);
    return new Map(states.map((state) => [state.userId, state]));
  }

  private verificationRequests(
    upload: UserImportUploadedData,
    users: readonly ImportRow[],
    cause: Cause,
  ): CloudEvent<'VerificationRequested'>[] {
    if (users.length === 0) return [];
    const requestId = deterministicEventId(
      'VerificationRequested',
      'import',
      upload.tenantId,
      upload.importId,
    );
    const size = this.options.usersPerRequest;
    const count = Math.ceil(users.length / size);
    return Array.from({ length: count }, (_, i) =>
      createEvent(
        'VerificationRequested',
        {
          requestId,
          tenantId: upload.tenantId,
          requestedBy: { userId: upload.uploadedBy.userId },
          users: users.slice(i * size, (i + 1) * size).map((u) => ({ userId: u.userId })),
          part: { index: i + 1, count },
        },
        {
          source: this.options.source,
          id: deterministicEventId('VerificationRequested', requestId, String(i + 1)),
          time: cause.at,
        },
      ),
    );
  }

  private async failOn(
    error: unknown,
    upload: UserImportUploadedData,
    cause: Cause,
  ): Promise<ImportResult> {
    const failure = importFailureOf(error);
    if (!failure) throw error;
    return this.fail(upload, failure, cause);
  }

  /** Nothing was applied: rows are applied only after the whole file was read. */
  private async fail(
    upload: UserImportUploadedData,
    failure: ImportFailure,
    cause: Cause,
  ): Promise<ImportResult> {
    const event = completedEvent(upload, cause, this.options.source, {
      status: 'failed',
      rows: 0,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      reasons: {},
      error: failure,
    });
    const completion = await this.progress.complete(upload.tenantId, upload.importId, [event]);
    return { kind: 'failed', failure, ...(completion ? { completion } : {}) };
  }
}

/** A new address voids earlier links: `addressSetAt` is later than they were issued. */
function addressWrite(
  tenantId: string,
  userId: string,
  email: string,
  states: ReadonlyMap<string, UserState>,
  cause: Cause,
): StateWrite[] {
  const before = states.get(userId);
  // Applied by an earlier delivery of this import: nothing to do again.
  if (sameAddress(before?.email, email)) return [];
  // Linked since the rows were decided: a linked user's address never changes (R8).
  if (before?.status === 'linked') return [];
  const state: UserState = {
    ...(before ?? { tenantId, userId }),
    email,
    status: 'unverified',
    lastSentAt: undefined,
    addressSetAt: cause.at,
  };
  const event = statusChangedEvent({ tenantId, userId, status: 'unverified', email }, cause);
  return [{ ...(before ? { before } : {}), state, events: [event] }];
}

async function* reportRows(
  sheet: ImportSheet,
  outcomes: readonly RowOutcome[],
): AsyncGenerator<string[]> {
  let index = -1;
  for await (const cells of sheet.rows()) {
    const outcome = index >= 0 ? outcomes[index] : undefined;
    yield index < 0
      ? [...cells, ...REPORT_COLUMNS]
      : [...cells, ...(outcome ? reportCells(outcome) : ['', ''])];
    index++;
  }
}

function countOutcomes(outcomes: readonly RowOutcome[]): ImportCounts {
  const counts: ImportCounts = {
    rows: outcomes.length,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    reasons: {},
  };
  for (const outcome of outcomes) {
    counts[outcome.kind] += 1;
    if (outcome.kind === 'rejected')
      counts.reasons[outcome.reason] = (counts.reasons[outcome.reason] ?? 0) + 1;
  }
  return counts;
}

function completedEvent(
  upload: UserImportUploadedData,
  cause: Cause,
  source: string,
  result: Omit<UserImportCompletedInput, 'importId' | 'tenantId' | 'completedAt'>,
): AnyCloudEvent {
  return createEvent(
    'UserImportCompleted',
    {
      importId: upload.importId,
      tenantId: upload.tenantId,
      ...result,
      completedAt: cause.at.toISOString(),
    },
    { source, id: userImportCompletedId(upload.tenantId, upload.importId), time: cause.at },
  );
}
