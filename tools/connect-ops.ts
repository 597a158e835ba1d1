/**
 * connect-ops: what operators ask of the pipeline, from the command line. Human output by
 * default, `--json` for scripts.
 *
 *   npm run ops -- lag [--group <prefix>] [--json]
 */
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { readConsumerLag, type PartitionLag } from '@app/messaging';

const USAGE = `usage: connect-ops <command> [options]

commands:
  lag [--group <prefix>] [--json]   consumer lag per group and partition (committed offset,
                                    high watermark, messages behind), groups by id prefix

options:
  --json    machine-readable output
  --help    this help

environment:
  KAFKA_BROKERS   comma-separated brokers (default 127.0.0.1:9092)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'lag') return lag(rest);
  console.error(`connect-ops: unknown command '${command}'\n\n${USAGE}`);
  return 2;
}

async function lag(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      group: { type: 'string', default: '' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const kafka = new Kafka({
    clientId: 'connect-ops',
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const rows = await readConsumerLag(admin, values.group);
    console.log(values.json ? JSON.stringify(rows, null, 2) : lagTable(rows));
    return 0;
  } finally {
    await admin.disconnect();
  }
}

/** One line per partition, and each group's total behind under it. */
function lagTable(rows: readonly PartitionLag[]): string {
  if (rows.length === 0) return 'no consumer groups with committed offsets';
  const header = ['group', 'topic', 'partition', 'committed', 'high', 'lag'];
  const lines = rows.map((r) => [
    r.group,
    r.topic,
    String(r.partition),
    r.committed === undefined ? '-' : String(r.committed),
    String(r.high),
    String(r.lag),
  ]);
  const widths = header.map((_, c) =>
    Math.max(header[c]!.length, ...lines.map((l) => l[c]!.length)),
  );
  const format = (cells: string[]) =>
    cells
      .map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ');
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.group, (totals.get(r.group) ?? 0) + r.lag);
  return [
    format(header),
    ...lines.map(format),
    '',
    ...[...totals].map(([group, behind]) => `${group}: ${behind} behind`),
  ].join('\n');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`connect-ops: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
