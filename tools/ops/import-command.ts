import { OperatorReadRepository } from '@app/persistence';
import type { ImportSummary } from '@app/operations';
import { parseCommand, showHelp, type OpsCommand } from './ops-command';
import { withDatabase } from './ops-env';
import { progressBar, when } from './text-table';
import { readOrFollow, WATCH_OPTIONS, WATCH_USAGE } from './watch-progress';

export const importCommand: OpsCommand = {
  name: 'import',
  summary: 'progress and counts of an address import, live while it runs',
  help: `usage: connect-ops import <tenantId> <importId> ${WATCH_USAGE} [--json]

Progress of one UserImportUploaded of a tenant (import ids are the tenant's own): rows applied of the file's rows, updated, unchanged and
rejected (by reason once completed), the report and, for a failed import, why. While the
import runs and stdout is a terminal, a progress bar follows it until it ends (--watch also
when not a terminal; --no-watch never). Until its file has been read the import is not known
yet: --watch waits for it. Exit code 1 when the import is
unknown, when it failed, or when a watch ends before it does.`,
  async run(args, context) {
    const parsed = parseCommand(args, WATCH_OPTIONS, ['tenantId', 'importId']);
    if (parsed.help) return showHelp(importCommand, context.output);
    const [tenantId = '', importId = ''] = parsed.positionals;
    return withDatabase(context.env, async (connection) => {
      const reads = new OperatorReadRepository(connection);
      const {
        value: summary,
        watched,
        finished,
      } = await readOrFollow(
        parsed,
        { read: () => reads.import(tenantId, importId), line: importLine, finished: ended },
        context,
      );
      if (!summary) {
        context.output.err(
          `no import ${importId} of tenant ${tenantId} recorded (not started, or still reading its file)\n`,
        );
        return 1;
      }
      context.output.out(
        `${parsed.json ? JSON.stringify(summary, null, 2) : importText(summary)}\n`,
      );
      if (summary.phase === 'failed') return 1;
      return watched && !finished ? 1 : 0;
    });
  },
};

function ended(summary: ImportSummary | undefined): boolean {
  return summary !== undefined && summary.phase !== 'running';
}

function importLine(summary: ImportSummary | undefined): string {
  if (!summary) return 'waiting for the file to be read...';
  const { counts } = summary;
  return `${progressBar(summary.applied, summary.rows)}  updated ${counts.updated}, unchanged ${counts.unchanged}, rejected ${counts.rejected}  (${summary.phase})`;
}

export function importText(summary: ImportSummary): string {
  const { counts, result } = summary;
  const reasons = Object.entries(result?.reasons ?? {});
  return [
    `import ${summary.importId} (tenant ${summary.tenantId}): ${summary.phase}${summary.completedAt ? ` at ${when(summary.completedAt)}` : ''}`,
    `  ${progressBar(summary.applied, summary.rows)}`,
    `  started   ${when(summary.startedAt)}`,
    `  updated   ${counts.updated}`,
    `  unchanged ${counts.unchanged}`,
    `  rejected  ${counts.rejected}${reasons.length ? ` (${reasons.map(([r, n]) => `${r} ${n}`).join(', ')})` : ''}`,
    ...(result?.reportUri ? [`  report    ${result.reportUri}`] : []),
    ...(result?.error ? [`  error     ${result.error.code}: ${result.error.message}`] : []),
    ...(result?.verificationRequestId
      ? [
          `  mails     request ${result.verificationRequestId} (connect-ops request ${summary.tenantId} ${result.verificationRequestId})`,
        ]
      : []),
  ].join('\n');
}
