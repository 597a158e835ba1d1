/**
 * Replays dead letters of one source topic (read from `<topic>.dlq`) back onto that topic, as
 * first published. The consumer group remembers how far replays got; `--from-beginning` rescans.
 *
 *   npm run dlq:replay -- --topic hrm.verification-requested.v1 --code not_json --dry-run
 */
import { Kafka, logLevel } from 'kafkajs';
import { parseArgs } from 'node:util';
import {
  defaultReplayGroupId,
  formatReplayLine,
  replayDeadLetters,
  type ReplayOptions,
  type ReplayReport,
} from '@app/messaging/dead-letter-replay';

const USAGE = `usage: dlq-replay --topic <source topic> [options]

Replays the dead letters of <source topic> (read from <source topic>.dlq) onto <source topic>,
with their original key, value and headers. Dead letters read are skipped when they do not
match --code, and the group moves past them; --from-beginning rescans the whole topic.

options:
  --topic <name>        source topic whose dead letters to replay (required)
  --code <error-code>   replay only dead letters with this error-code header
  --limit <n>           stop after n replayed messages
  --dry-run             show what would be replayed; produce and commit nothing
  --from-beginning      rescan the dead-letter topic from its earliest message
  --group <id>          consumer group (default ${defaultReplayGroupId('<topic>')})
  --help                print this help

environment:
  KAFKA_BROKERS         comma-separated brokers (default 127.0.0.1:9092)`;

type Parsed = { help: true } | { help: false; options: ReplayOptions };

function parseCommandLine(args: string[]): Parsed {
  const { values } = parseArgs({
    args,
    options: {
      topic: { type: 'string' },
      code: { type: 'string' },
      limit: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'from-beginning': { type: 'boolean', default: false },
      group: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return { help: true };
  if (!values.topic) throw new Error('--topic is required (see --help)');
  return {
    help: false,
    options: {
      sourceTopic: values.topic,
      groupId: values.group,
      errorCode: values.code,
      limit: values.limit === undefined ? undefined : parseLimit(values.limit),
      dryRun: values['dry-run'],
      fromBeginning: values['from-beginning'],
      onMessage: (line) => console.log(formatReplayLine(line)),
    },
  };
}

function parseLimit(text: string): number {
  const limit = Number(text);
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new Error(`--limit must be a positive integer, got ${text}`);
  }
  return limit;
}

function summary(report: ReplayReport, dryRun: boolean): string {
  const replayed = dryRun ? `would replay ${report.replayed}` : `replayed ${report.replayed}`;
  return `${replayed}, skipped ${report.skipped}, scanned ${report.scanned} -> ${report.target}`;
}

async function main(): Promise<void> {
  // `npm run x -- --flag` and `node tools/dlq-replay.ts -- --flag` both pass a literal `--`.
  const args = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));
  const parsed = parseCommandLine(args);
  if (parsed.help) {
    console.log(USAGE);
    return;
  }
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const kafka = new Kafka({ clientId: 'dlq-replay', brokers, logLevel: logLevel.ERROR });
  const report = await replayDeadLetters(kafka, parsed.options);
  console.log(summary(report, parsed.options.dryRun ?? false));
}

main().catch((error: unknown) => {
  console.error(`dlq-replay: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
