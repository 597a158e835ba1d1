import { readConsumerLag, type PartitionLag } from '@app/messaging';
import { parseCommand, showHelp, type OpsCommand } from './ops-command';
import { opsKafka } from './ops-env';
import { textTable } from './text-table';

export const lagCommand: OpsCommand = {
  name: 'lag',
  summary: 'consumer lag per group and partition',
  help: `usage: connect-ops lag [--group <prefix>] [--all] [--json]

Consumer lag of every consumer group (or those whose id starts with <prefix>): per partition
the committed offset, the high watermark and the messages between them, then each group's total.
Partitions that never held a message are left out unless --all.`,
  async run(args, { env, output }) {
    const parsed = parseCommand(args, {
      group: { type: 'string', default: '' },
      all: { type: 'boolean', default: false },
    });
    if (parsed.help) return showHelp(lagCommand, output);
    const admin = opsKafka(env).admin();
    await admin.connect();
    try {
      const rows = (await readConsumerLag(admin, parsed.text('group') ?? '')).filter(
        (r) => parsed.flag('all') === true || r.high > 0 || r.committed !== undefined,
      );
      output.out(`${parsed.json ? JSON.stringify(rows, null, 2) : lagText(rows)}\n`);
      return 0;
    } finally {
      await admin.disconnect();
    }
  },
};

function lagText(rows: readonly PartitionLag[]): string {
  if (rows.length === 0) return 'no consumer groups with committed offsets';
  const table = textTable(
    ['group', 'topic', 'partition', 'committed', 'high', 'lag'],
    rows.map((r) => [
      r.group,
      r.topic,
      String(r.partition),
      r.committed === undefined ? '-' : String(r.committed),
      String(r.high),
      String(r.lag),
    ]),
    new Set([2, 3, 4, 5]),
  );
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.group, (totals.get(r.group) ?? 0) + r.lag);
  return [table, '', ...[...totals].map(([group, behind]) => `${group}: ${behind} behind`)].join(
    '\n',
  );
}
