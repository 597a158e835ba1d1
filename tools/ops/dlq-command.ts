import type { Kafka } from 'kafkajs';
import { dlqTopicOf } from '@app/contracts';
import {
  formatReplayLine,
  readDeadLetters,
  readDeadLetterTopics,
  replayDeadLetters,
  sourceTopicOf,
  type DeadLetter,
  type ReplayedMessage,
} from '@app/messaging';
import { parseCommand, positiveOption, showHelp, UsageError, type OpsCommand } from './ops-command';
import { opsKafka } from './ops-env';
import { textTable } from './text-table';

const DLQ_SUFFIX = dlqTopicOf('');

export const dlqCommand: OpsCommand = {
  name: 'dlq',
  summary: 'dead letters: list the topics, show the messages and why, replay them',
  help: `usage: connect-ops dlq list [--prefix <topic prefix>] [--all] [--json]
       connect-ops dlq show <topic> [--code <error-code>] [--json]
       connect-ops dlq replay <topic> [--code <error-code>] [--limit <n>] [--dry-run] [--from-beginning]
                              [--group <id>]

list     the dead-letter topics (<source topic>${DLQ_SUFFIX}) holding messages, and how many
         (--all: empty ones too; --prefix: only topics whose name starts with it)
show     every dead letter of <topic> (the source topic or its ${DLQ_SUFFIX} topic): offset, when it was
         set aside, the error code and message, the event's id and type, where it was first read
replay   sends the dead letters of <topic> back onto it, as first published, after a fix; the
         replay group (--group, default connect-provisioning.dlq-replay.<topic>) remembers how
         far it got (--from-beginning rescans), --dry-run shows what would go. Consumers drop duplicates by event id, so a replayed duplicate is harmless.

Reading for show uses a throwaway consumer group: nobody's position moves.`,
  async run(args, context) {
    const [sub, ...rest] = args;
    if (sub === undefined || sub === '--help' || sub === 'help') {
      showHelp(dlqCommand, context.output);
      return sub === undefined ? 2 : 0;
    }
    const kafka = opsKafka(context.env);
    if (sub === 'list') return list(kafka, rest, context);
    if (sub === 'show') return show(kafka, rest, context);
    if (sub === 'replay') return replay(kafka, rest, context);
    throw new UsageError(`unknown dlq command '${sub}' (list, show or replay)`);
  },
};

type Context = Parameters<OpsCommand['run']>[1];

async function list(kafka: Kafka, args: string[], { output }: Context): Promise<number> {
  const parsed = parseCommand(args, {
    prefix: { type: 'string', default: '' },
    all: { type: 'boolean', default: false },
  });
  if (parsed.help) return showHelp(dlqCommand, output);
  const prefix = parsed.text('prefix') ?? '';
  const topics = (await readDeadLetterTopics(kafka)).filter(
    (t) => t.topic.startsWith(prefix) && (parsed.flag('all') === true || t.messages > 0),
  );
  if (parsed.json) output.out(`${JSON.stringify(topics, null, 2)}\n`);
  else if (topics.length === 0) output.out('no dead letters\n');
  else
    output.out(
      `${textTable(
        ['dead-letter topic', 'messages'],
        topics.map((t) => [t.topic, String(t.messages)]),
        new Set([1]),
      )}\n`,
    );
  return 0;
}

async function show(kafka: Kafka, args: string[], { output }: Context): Promise<number> {
  const parsed = parseCommand(args, { code: { type: 'string' } }, ['topic']);
  if (parsed.help) return showHelp(dlqCommand, output);
  const letters = await readDeadLetters(
    kafka,
    sourceTopicOf(parsed.positionals[0] ?? ''),
    parsed.text('code'),
  );
  if (parsed.json) output.out(`${JSON.stringify(letters, null, 2)}\n`);
  else output.out(`${deadLettersText(letters)}\n`);
  return 0;
}

function deadLettersText(letters: readonly DeadLetter[]): string {
  if (letters.length === 0) return 'no dead letters';
  const table = textTable(
    ['where', 'dead-lettered', 'error-code', 'event', 'first read at', 'why'],
    letters.map((l) => [
      `p${l.partition}@${l.offset}`,
      l.deadLetteredAt ?? '-',
      l.errorCode ?? '-',
      l.eventId ? `${l.eventType ?? '?'} ${l.eventId}` : '-',
      l.original ?? '-',
      l.errorMessage ?? '-',
    ]),
  );
  const byCode = new Map<string, number>();
  for (const l of letters)
    byCode.set(l.errorCode ?? '-', (byCode.get(l.errorCode ?? '-') ?? 0) + 1);
  return [table, '', ...[...byCode].map(([code, n]) => `${code}: ${n}`)].join('\n');
}

async function replay(kafka: Kafka, args: string[], { output }: Context): Promise<number> {
  const parsed = parseCommand(
    args,
    {
      code: { type: 'string' },
      limit: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'from-beginning': { type: 'boolean', default: false },
      group: { type: 'string' },
    },
    ['topic'],
  );
  if (parsed.help) return showHelp(dlqCommand, output);
  const dryRun = parsed.flag('dry-run') === true;
  const lines: ReplayedMessage[] = [];
  const report = await replayDeadLetters(kafka, {
    sourceTopic: sourceTopicOf(parsed.positionals[0] ?? ''),
    dryRun,
    fromBeginning: parsed.flag('from-beginning') === true,
    ...(parsed.text('group') ? { groupId: parsed.text('group') } : {}),
    ...(parsed.text('code') ? { errorCode: parsed.text('code') ?? '' } : {}),
    ...(parsed.text('limit')
      ? { limit: positiveOption('limit', parsed.text('limit') ?? '', 1) }
      : {}),
    onMessage: (line) =>
      parsed.json ? lines.push(line) : output.out(`${formatReplayLine(line)}\n`),
  });
  if (parsed.json)
    output.out(`${JSON.stringify({ ...report, dryRun, messages: lines }, null, 2)}\n`);
  else
    output.out(
      `${dryRun ? 'would replay' : 'replayed'} ${report.replayed}, skipped ${report.skipped}, scanned ${report.scanned} -> ${report.target}\n`,
    );
  return 0;
}
