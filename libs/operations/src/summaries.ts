import type { UserImportCompletedData } from '@app/contracts';
import type { RequestProgress } from '@app/verification';
import type { ImportSummary, RequestSummary } from './operator-views';

export function requestSummaryOf(progress: RequestProgress): RequestSummary {
  const { tally } = progress;
  const skipped = Object.values(tally.skipped).reduce((n, k) => n + k, 0);
  const phase = progress.completedAt
    ? 'completed'
    : progress.partsSeen < progress.partCount
      ? 'receiving'
      : 'sending';
  return {
    requestId: progress.requestId,
    tenantId: progress.tenantId,
    phase,
    partsSeen: progress.partsSeen,
    partCount: progress.partCount,
    requested: tally.requested,
    tally,
    settled: tally.sent + tally.failed + skipped,
    ...(progress.completedAt ? { completedAt: progress.completedAt } : {}),
  };
}

/** What an import's record says: its progress counted per batch, and its end. */
export interface ImportRecord {
  tenantId: string;
  importId: string;
  rows?: number;
  counts: { updated: number; unchanged: number; rejected: number };
  startedAt: Date;
  completedAt: Date | null;
  result?: UserImportCompletedData;
}

export function importSummaryOf(record: ImportRecord): ImportSummary {
  const { counts, result } = record;
  return {
    importId: record.importId,
    tenantId: record.tenantId,
    phase: result?.status ?? (record.completedAt ? 'completed' : 'running'),
    ...(result || record.rows !== undefined ? { rows: result?.rows ?? record.rows } : {}),
    applied: result ? result.rows : counts.updated + counts.unchanged + counts.rejected,
    counts: result
      ? { updated: result.updated, unchanged: result.unchanged, rejected: result.rejected }
      : { ...counts },
    startedAt: record.startedAt,
    ...(record.completedAt ? { completedAt: record.completedAt } : {}),
    ...(result ? { result } : {}),
  };
}
