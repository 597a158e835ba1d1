import { OperatorReadRepository } from '@app/persistence';
import type { RequestSummary } from '@app/operations';
import { parseCommand, showHelp, type OpsCommand } from './ops-command';
import { withDatabase } from './ops-env';
import { progressBar, when } from './text-table';
import { readOrFollow, WATCH_OPTIONS, WATCH_USAGE } from './watch-progress';

export const requestCommand: OpsCommand = {
  name: 'request',
  summary: 'progress and counts of a verification request, live while it runs',
  help: `usage: connect-ops request <tenantId> <requestId> ${WATCH_USAGE} [--json]

Progress of one VerificationRequested of a tenant (all its parts; request ids are the
tenant's own): parts received, users settled, mails
sent and failed, users skipped by reason. While the request runs and stdout is a terminal,
a progress bar follows it until it completes (--watch also when not a terminal, one line per
change on stderr; --no-watch never). Exit code 1 when the request is unknown, or when a watch
ends before the request completes.`,
  async run(args, context) {
    const parsed = parseCommand(args, WATCH_OPTIONS, ['tenantId', 'requestId']);
    if (parsed.help) return showHelp(requestCommand, context.output);
    const [tenantId = '', requestId = ''] = parsed.positionals;
    return withDatabase(context.env, async (connection) => {
      const reads = new OperatorReadRepository(connection);
      const {
        value: summary,
        watched,
        finished,
      } = await readOrFollow(
        parsed,
        {
          read: () => reads.request(tenantId, requestId),
          line: requestLine,
          finished: (s) => s?.phase === 'completed',
        },
        context,
      );
      if (!summary) {
        context.output.err(
          `no request ${requestId} of tenant ${tenantId} (no part of it has been received)\n`,
        );
        return 1;
      }
      context.output.out(
        `${parsed.json ? JSON.stringify(summary, null, 2) : requestText(summary)}\n`,
      );
      return watched && !finished ? 1 : 0;
    });
  },
};

function requestLine(summary: RequestSummary | undefined): string {
  if (!summary) return 'waiting for the first part...';
  const total = summary.partsSeen === summary.partCount ? summary.requested : undefined;
  return `${progressBar(summary.settled, total)}  sent ${summary.tally.sent}, failed ${summary.tally.failed}  (${summary.phase})`;
}

export function requestText(summary: RequestSummary): string {
  const { tally } = summary;
  const skips = Object.entries(tally.skipped).filter(([, n]) => n > 0);
  return [
    `request ${summary.requestId} (tenant ${summary.tenantId}): ${summary.phase}${summary.completedAt ? ` at ${when(summary.completedAt)}` : ''}`,
    `  ${progressBar(summary.settled, summary.requested)}`,
    `  parts     ${summary.partsSeen} of ${summary.partCount}`,
    `  requested ${summary.requested}`,
    `  sent      ${tally.sent}`,
    `  failed    ${tally.failed}`,
    `  sending   ${tally.due}`,
    `  skipped   ${skips.length === 0 ? 0 : skips.map(([reason, n]) => `${reason} ${n}`).join(', ')}`,
  ].join('\n');
}
