import { OperatorReadRepository } from '@app/persistence';
import type { TimelineEntry, UserTimeline } from '@app/operations';
import { parseCommand, showHelp, type OpsCommand } from './ops-command';
import { withDatabase } from './ops-env';
import { when } from './text-table';

export const statusCommand: OpsCommand = {
  name: 'status',
  summary: "a user's state, masked address and history of mails, verification and link",
  help: `usage: connect-ops status <tenantId> <userId> [--json]

Answers "did this user get the mail?": the user's verification status and masked address, then
everything recorded about them, oldest first: address changes, each mail sent (its request,
outcome and link expiry), uses of a link, verifications handled by the linker, the link to
Visma Connect. Exit code 1 when nothing is recorded about the user.`,
  async run(args, { env, output }) {
    const parsed = parseCommand(args, {}, ['tenantId', 'userId']);
    if (parsed.help) return showHelp(statusCommand, output);
    const [tenantId = '', userId = ''] = parsed.positionals;
    const timeline = await withDatabase(env, (connection) =>
      new OperatorReadRepository(connection).userTimeline(tenantId, userId),
    );
    output.out(
      `${parsed.json ? JSON.stringify(timeline, null, 2) : statusText(tenantId, userId, timeline)}\n`,
    );
    return timeline.user || timeline.entries.length > 0 ? 0 : 1;
  },
};

export function statusText(tenantId: string, userId: string, timeline: UserTimeline): string {
  const { user, entries } = timeline;
  if (!user && entries.length === 0) return `no user ${userId} in tenant ${tenantId}`;
  const head = user
    ? [
        `user ${userId} (tenant ${tenantId}): ${user.status}, address ${user.maskedEmail ?? 'none'}`,
        `  last mail sent ${when(user.lastSentAt)}, verified ${when(user.verifiedAt)}, linked ${when(user.linkedAt)}`,
      ]
    : [`user ${userId} (tenant ${tenantId}): no state saved`];
  return [...head, '', 'history:', ...entries.map((e) => `  ${when(e.at)}  ${describe(e)}`)].join(
    '\n',
  );
}

function describe(entry: TimelineEntry): string {
  switch (entry.kind) {
    case 'address_set':
      return 'address saved (earlier links void)';
    case 'mail':
      return `mail ${entry.outcome} to ${entry.maskedEmail}, request ${entry.requestId}, link valid until ${when(entry.expiresAt)}`;
    case 'link_used':
      return `link used: ${entry.maskedEmail} verified on the page`;
    case 'email_verified':
      return `EmailVerified (${entry.method}) handled: ${entry.outcome}`;
    case 'linked':
      return 'linked to Visma Connect';
  }
}
