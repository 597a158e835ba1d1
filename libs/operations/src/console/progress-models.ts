import { IMPORT_REJECTION_REASONS, SKIP_REASONS } from '@app/contracts';
import { maskEmailsIn } from '@app/observability';
import type { ImportSummary, RequestSummary } from '../operator-views';
import { count, progressOf, shownTime, type Progress, type ShownTime } from './console-format';
import {
  IMPORT_PHASES,
  REJECTION_REASON_LABELS,
  REQUEST_PHASES,
  SKIP_REASON_LABELS,
  type Badge,
  type Label,
} from './console-labels';
import { CONSOLE_PATHS } from './console-paths';
import type { ImportView, RequestView } from './console-views';

/** How often a page of work in progress reloads itself: no script needed. */
export const REFRESH_SECONDS = 10;

/** One figure of a detail page: what it counts, in both languages, and how many. */
export interface Figure extends Label {
  value: string;
}

/** A count by reason; zero rows stay listed (every reason is shown) but muted. */
export interface ReasonCount extends Label {
  code: string;
  count: string;
  zero: boolean;
}

export interface RequestRow {
  href: string;
  requestId: string;
  tenantId: string;
  phase: Badge;
  parts: string;
  requested: string;
  sent: string;
  failed: string;
  skipped: string;
  progress: Progress;
}

export interface ImportRow {
  href: string;
  importId: string;
  tenantId: string;
  phase: Badge;
  rows: string;
  updated: string;
  unchanged: string;
  rejected: string;
  progress: Progress;
}

function skippedTotal(request: RequestSummary): number {
  return Object.values(request.tally.skipped).reduce((n, k) => n + k, 0);
}

/** The bar's total is known once every part has arrived; before that it is a guess. */
function requestProgress(request: RequestSummary): Progress {
  const allParts = request.partsSeen >= request.partCount;
  return progressOf(request.settled, allParts ? request.requested : undefined);
}

export function requestRow(request: RequestSummary): RequestRow {
  return {
    href: CONSOLE_PATHS.request(request.tenantId, request.requestId),
    requestId: request.requestId,
    tenantId: request.tenantId,
    phase: REQUEST_PHASES[request.phase],
    parts: `${count(request.partsSeen)} / ${count(request.partCount)}`,
    requested: count(request.requested),
    sent: count(request.tally.sent),
    failed: count(request.tally.failed),
    skipped: count(skippedTotal(request)),
    progress: requestProgress(request),
  };
}

export function importRow(summary: ImportSummary): ImportRow {
  return {
    href: CONSOLE_PATHS.import(summary.tenantId, summary.importId),
    importId: summary.importId,
    tenantId: summary.tenantId,
    phase: IMPORT_PHASES[summary.phase],
    rows: `${count(summary.applied)} / ${summary.rows === undefined ? '?' : count(summary.rows)}`,
    updated: count(summary.counts.updated),
    unchanged: count(summary.counts.unchanged),
    rejected: count(summary.counts.rejected),
    progress: progressOf(summary.applied, summary.rows),
  };
}

function reasonCounts<R extends string>(
  reasons: readonly R[],
  labels: Readonly<Record<R, Label>>,
  counts: Partial<Record<R, number>>,
): ReasonCount[] {
  return reasons.map((code) => {
    const n = counts[code] ?? 0;
    return { code, ...labels[code], count: count(n), zero: n === 0 };
  });
}

export function requestPageModel({ request }: RequestView) {
  const { tally } = request;
  const figures: Figure[] = [
    { sv: 'Delar mottagna', en: 'Parts received', value: requestRow(request).parts },
    { sv: 'Användare', en: 'Users requested', value: count(request.requested) },
    { sv: 'Skickade', en: 'Sent', value: count(tally.sent) },
    { sv: 'Misslyckade', en: 'Failed', value: count(tally.failed) },
    { sv: 'Skickas nu', en: 'Being sent', value: count(tally.due) },
    { sv: 'Hoppade över', en: 'Skipped', value: count(skippedTotal(request)) },
  ];
  return {
    title: `Utskick ${request.requestId}`,
    refreshSeconds: request.phase === 'completed' ? null : REFRESH_SECONDS,
    requestId: request.requestId,
    tenantId: request.tenantId,
    phase: REQUEST_PHASES[request.phase],
    completedAt: shownTime(request.completedAt),
    progress: requestProgress(request),
    figures,
    skips: reasonCounts(SKIP_REASONS, SKIP_REASON_LABELS, request.tally.skipped),
  };
}

export function importPageModel({ import: summary }: ImportView) {
  const { counts: c, result } = summary;
  const figures: Figure[] = [
    { sv: 'Rader klara', en: 'Rows applied', value: importRow(summary).rows },
    { sv: 'Uppdaterade', en: 'Updated', value: count(c.updated) },
    { sv: 'Oförändrade', en: 'Unchanged', value: count(c.unchanged) },
    { sv: 'Avvisade', en: 'Rejected', value: count(c.rejected) },
  ];
  const started: ShownTime | null = shownTime(summary.startedAt);
  return {
    title: `Import ${summary.importId}`,
    refreshSeconds: summary.phase === 'running' ? REFRESH_SECONDS : null,
    importId: summary.importId,
    tenantId: summary.tenantId,
    phase: IMPORT_PHASES[summary.phase],
    startedAt: started,
    completedAt: shownTime(summary.completedAt),
    progress: progressOf(summary.applied, summary.rows),
    figures,
    // The reasons are counted in the completion only; a failed file applied no row at all.
    reasons:
      result?.status === 'completed'
        ? reasonCounts(IMPORT_REJECTION_REASONS, REJECTION_REASON_LABELS, result.reasons)
        : null,
    reportUri: result?.reportUri ?? null,
    failure: result?.error
      ? { code: result.error.code, message: String(maskEmailsIn(result.error.message)) }
      : null,
    mailRequest: result?.verificationRequestId
      ? {
          href: CONSOLE_PATHS.request(summary.tenantId, result.verificationRequestId),
          requestId: result.verificationRequestId,
        }
      : null,
  };
}
