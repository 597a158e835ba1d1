import type { UserImportCompletedData } from '@app/contracts';
import type { RequestProgress, RequestTally } from '@app/verification';
import type { ImportSummary, RequestSummary } from './operator-views';

export function requestSummaryOf(progress: RequestProgress, tally: RequestTally): RequestSummary {
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
    requested: progress.requested,
    tally,
    settled: tally.sent + tally.failed + skipped,
    ...(progress.completedAt ? { completedAt: progress.completedAt } : {}),
  };
}

/** What an import's records say: its batches so far and its completion, if any. */
export interface ImportRecords {
  batches: readonly {
    tenantId?: string;
    rows?: number;
    counts?: { updated: number; unchanged: number; rejected: number };
    createdAt?: Date;
  }[];
  completion?: { tenantId: string; completedAt: Date; result?: UserImportCompletedData };
}

/** undefined when nothing is recorded: the import has not started, or the id is wrong. */
export function importSummaryOf(
  importId: string,
  records: ImportRecords,
): ImportSummary | undefined {
  const { batches, completion } = records;
  if (batches.length === 0 && !completion) return undefined;
  const counts = { updated: 0, unchanged: 0, rejected: 0 };
  for (const batch of batches) {
    counts.updated += batch.counts?.updated ?? 0;
    counts.unchanged += batch.counts?.unchanged ?? 0;
    counts.rejected += batch.counts?.rejected ?? 0;
  }
  const result = completion?.result;
  const started = batches
    .map((b) => b.createdAt)
    .filter((d): d is Date => d !== undefined)
    .sort((a, b) => a.getTime() - b.getTime())[0];
  const tenantId = completion?.tenantId ?? batches.find((b) => b.tenantId)?.tenantId;
  const rows = result?.rows ?? batches.find((b) => b.rows !== undefined)?.rows;
  return {
    importId,
    ...(tenantId ? { tenantId } : {}),
    phase: result?.status ?? (completion ? 'completed' : 'running'),
    ...(rows !== undefined ? { rows } : {}),
    applied: result ? result.rows : counts.updated + counts.unchanged + counts.rejected,
    counts: result
      ? { updated: result.updated, unchanged: result.unchanged, rejected: result.rejected }
      : counts,
    ...(started ? { startedAt: started } : {}),
    ...(completion ? { completedAt: completion.completedAt } : {}),
    ...(result ? { result } : {}),
  };
}
