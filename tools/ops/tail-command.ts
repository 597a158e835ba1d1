import { randomBytes } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { isEventType, parseEvent, type AnyCloudEvent } from '@app/contracts';
import { maskEmailsIn } from '@app/observability';
import { parseCommand, positiveOption, showHelp, UsageError, type OpsCommand } from './ops-command';
import { opsKafka, opsTopics } from './ops-env';
import { when } from './text-table';

export const tailCommand: OpsCommand = {
  name: 'tail',
  summary: 'decoded CloudEvents of a topic as they arrive, filtered by tenant, user or type',
  help: `usage: connect-ops tail <topic | event type> [--tenant <id>] [--user <id>] [--type <event type>]
                         [--from-beginning] [--limit <n>] [--timeout-ms <ms>] [--json]

Follows a topic (named, or by the event type it carries, e.g. VerificationRequested) and prints
each event as it arrives: time, type, id, tenant and users, and what it says. Addresses are
masked. Filters: --tenant and --user (a user named in the event's data) and --type. Starts at
the end unless --from-beginning; stops after --limit matching events, after --timeout-ms, or on
Ctrl-C. --json prints one JSON object per line (partition, offset, event). Values that are not
events of the contract are shown as such, with the reason.`,
  async run(args, context) {
    const parsed = parseCommand(
      args,
      {
        tenant: { type: 'string' },
        user: { type: 'string' },
        type: { type: 'string' },
        'from-beginning': { type: 'boolean', default: false },
        limit: { type: 'string' },
        'timeout-ms': { type: 'string' },
      },
      ['topic'],
    );
    if (parsed.help) return showHelp(tailCommand, context.output);
    const [named = ''] = parsed.positionals;
    const topic = isEventType(named) ? opsTopics(context.env)[named] : named;
    const filter: EventFilter = {
      tenantId: parsed.text('tenant'),
      userId: parsed.text('user'),
      type: parsed.text('type'),
    };
    if (filter.type !== undefined && !isEventType(filter.type))
      throw new UsageError(`--type ${filter.type} is not an event type of the contract`);
    const limit = positiveOption('limit', parsed.text('limit'), Infinity);
    const timeoutMs = positiveOption('timeout-ms', parsed.text('timeout-ms'), Infinity);
    return follow(
      topic,
      {
        filter,
        json: parsed.json,
        limit,
        timeoutMs,
        fromBeginning: parsed.flag('from-beginning') === true,
      },
      context,
    );
  },
};

interface EventFilter {
  tenantId?: string;
  userId?: string;
  type?: string;
}

interface FollowOptions {
  filter: EventFilter;
  json: boolean;
  limit: number;
  timeoutMs: number;
  fromBeginning: boolean;
}

async function follow(
  topic: string,
  options: FollowOptions,
  { env, output, signal }: Parameters<OpsCommand['run']>[1],
): Promise<number> {
  const kafka = opsKafka(env);
  const admin = kafka.admin();
  await admin.connect();
  if (!(await admin.listTopics()).includes(topic)) {
    await admin.disconnect();
    output.err(`no topic ${topic}\n`);
    return 1;
  }
  // A group of its own, deleted afterwards: tailing must not move anyone's offsets.
  const groupId = `connect-ops.tail-${randomBytes(4).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
  let shown = 0;
  const stop = new AbortController();
  const end = () => stop.abort();
  signal.addEventListener('abort', end, { once: true });
  const timer = Number.isFinite(options.timeoutMs) ? setTimeout(end, options.timeoutMs) : undefined;
  try {
    // "The end" is where the topic stands now: a new group would only look it up at its first
    // fetch, after joining, and miss what arrives in between.
    const ends = options.fromBeginning ? [] : await admin.fetchTopicOffsets(topic);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning });
    const joined = new Promise<void>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
    );
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (stop.signal.aborted) return;
        const event = parseEvent(message.value);
        if (!matches(event.ok ? event.event : undefined, options.filter)) return;
        output.out(
          `${options.json ? jsonLine(partition, message, event) : textLine(partition, message, event)}\n`,
        );
        if (++shown >= options.limit) end();
      },
    });
    await joined;
    for (const { partition, high } of ends) consumer.seek({ topic, partition, offset: high });
    output.err(
      `following ${topic} from ${options.fromBeginning ? 'the beginning' : 'the end'} (Ctrl-C stops)\n`,
    );
    if (!stop.signal.aborted)
      await new Promise((resolve) =>
        stop.signal.addEventListener('abort', resolve, { once: true }),
      );
    output.err(`${shown} event(s) shown\n`);
    return 0;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', end);
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

type Parsed = ReturnType<typeof parseEvent>;

/** Invalid values pass only when no filter is set: a filter asks about events. */
function matches(event: AnyCloudEvent | undefined, filter: EventFilter): boolean {
  if (!event) return !filter.tenantId && !filter.userId && !filter.type;
  if (filter.type !== undefined && event.type !== filter.type) return false;
  const subject = subjectOf(event);
  if (filter.tenantId !== undefined && subject.tenantId !== filter.tenantId) return false;
  return filter.userId === undefined || subject.userIds.includes(filter.userId);
}

/** The tenant and users an event is about, wherever its data names them. */
function subjectOf(event: AnyCloudEvent): { tenantId?: string; userIds: string[] } {
  const data: Record<string, unknown> = { ...event.data };
  const users = Array.isArray(data.users) ? (data.users as { userId?: unknown }[]) : [];
  const userIds = [data.userId, ...users.map((u) => u.userId)].filter(
    (id): id is string => typeof id === 'string',
  );
  return { ...(typeof data.tenantId === 'string' ? { tenantId: data.tenantId } : {}), userIds };
}

function textLine(partition: number, message: KafkaMessage, parsed: Parsed): string {
  const where = `p${partition}@${message.offset}`;
  if (!parsed.ok)
    return `${where}  (not an event of the contract: ${parsed.error.code}: ${parsed.error.message})`;
  const { event } = parsed;
  const subject = subjectOf(event);
  const users =
    subject.userIds.length > 3
      ? `${subject.userIds.slice(0, 3).join(',')},… (${subject.userIds.length} users)`
      : subject.userIds.join(',');
  // Tenant and user are in their own columns already.
  const rest = Object.entries(event.data).filter(([key]) => key !== 'tenantId' && key !== 'userId');
  const data = JSON.stringify(maskEmailsIn(Object.fromEntries(rest)));
  return [
    when(new Date(event.time)),
    event.type,
    event.id,
    `tenant=${subject.tenantId ?? '-'}`,
    `users=${users || '-'}`,
    where,
    data.length > 160 ? `${data.slice(0, 157)}...` : data,
  ].join('  ');
}

function jsonLine(partition: number, message: KafkaMessage, parsed: Parsed): string {
  return JSON.stringify({
    partition,
    offset: message.offset,
    ...(parsed.ok ? { event: maskEmailsIn(parsed.event) } : { invalid: parsed.error }),
  });
}
