import type { IHeaders, KafkaMessage } from 'kafkajs';
import { HEADERS, headerString } from './headers';

// The pure rules of a dead-letter replay: what to replay, where to read, what to report.
// dead-letter-replay.ts runs them against the broker.

export interface ReplayOptions {
  /** The topic the dead letters were first consumed from; its `.dlq` topic is read. */
  sourceTopic: string;
  /** Remembers how far replays got; default `connect-provisioning.dlq-replay.<sourceTopic>`. */
  groupId?: string;
  /** Replay only dead letters whose `error-code` header equals this. */
  errorCode?: string;
  /** Stop after this many messages were replayed (or would be, in a dry run). */
  limit?: number;
  dryRun?: boolean;
  /** Rescan the whole dead-letter topic instead of continuing where the group stopped. */
  fromBeginning?: boolean;
  /** Called once per dead letter read, after it was replayed (or skipped). */
  onMessage?: (line: ReplayedMessage) => void;
  /** Give up when no message was read for this long (default 60 s). */
  idleTimeoutMs?: number;
}

export type ReplayAction = 'replayed' | 'skipped' | 'would-replay';

export interface ReplayedMessage {
  partition: number;
  offset: string;
  eventId?: string;
  eventType?: string;
  errorCode?: string;
  errorMessage?: string;
  /** When it was set aside (ISO 8601), and where it was first read: "topic/partition@offset". */
  deadLetteredAt?: string;
  original?: string;
  action: ReplayAction;
  /** Where the message went (or would have gone, for a skipped one). */
  target: string;
  /** Why a message was skipped. */
  reason?: string;
}

export interface ReplayReport {
  /** In a dry run: how many would have been replayed. */
  replayed: number;
  skipped: number;
  scanned: number;
  target: string;
}

export type ReplayDecision =
  { replay: true; target: string } | { replay: false; target: string; reason: string };

/** Offsets to read in one partition: [start, end). */
export interface PartitionRange {
  partition: number;
  start: bigint;
  end: bigint;
}

export function defaultReplayGroupId(sourceTopic: string): string {
  return `connect-provisioning.dlq-replay.${sourceTopic}`;
}

export function decideReplay(
  headers: IHeaders | undefined,
  rule: { sourceTopic: string; errorCode?: string },
): ReplayDecision {
  const code = headerString(headers, HEADERS.errorCode);
  const originalTopic = headerString(headers, HEADERS.originalTopic) ?? rule.sourceTopic;
  if (rule.errorCode !== undefined && code !== rule.errorCode) {
    return {
      replay: false,
      target: originalTopic,
      reason: `error-code ${code ?? '(none)'} is not ${rule.errorCode}`,
    };
  }
  if (originalTopic !== rule.sourceTopic) {
    return {
      replay: false,
      target: originalTopic,
      reason: `original-topic ${originalTopic} is not ${rule.sourceTopic}; not writing into another topic`,
    };
  }
  return { replay: true, target: rule.sourceTopic };
}

/** The event id of a CloudEvents JSON value, for the operator's report; never throws. */
export function parseEventId(value: Buffer | null): string | undefined {
  return parseEventHead(value).id;
}

/** The id and type of a CloudEvents JSON value, as far as it has them; never throws. */
export function parseEventHead(value: Buffer | null): { id?: string; type?: string } {
  if (!value) return {};
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { id, type } = parsed as Record<string, unknown>;
    return {
      ...(typeof id === 'string' ? { id } : {}),
      ...(typeof type === 'string' ? { type } : {}),
    };
  } catch {
    return {};
  }
}

/** "topic/partition@offset" of the message a dead letter is a copy of, when its headers say. */
function originalOf(headers: IHeaders | undefined): string | undefined {
  const topic = headerString(headers, HEADERS.originalTopic);
  if (topic === undefined) return undefined;
  const partition = headerString(headers, HEADERS.originalPartition) ?? '?';
  return `${topic}/${partition}@${headerString(headers, HEADERS.originalOffset) ?? '?'}`;
}

/**
 * Where to read each partition: from the group's committed offset (or the earliest retained one
 * when it has none, or when rescanning) up to the high watermark seen now.
 */
export function partitionRanges(
  watermarks: readonly { partition: number; low: string; high: string }[],
  committed: readonly { partition: number; offset: string }[],
  fromBeginning: boolean,
): PartitionRange[] {
  const committedBy = new Map(committed.map((c) => [c.partition, BigInt(c.offset)]));
  return watermarks.map(({ partition, low, high }) => {
    const end = BigInt(high);
    const from = fromBeginning ? -1n : (committedBy.get(partition) ?? -1n);
    const start = from < BigInt(low) ? BigInt(low) : from;
    // A committed offset past the end (topic recreated) means nothing to read, not "read it all".
    return { partition, start: start > end ? end : start, end };
  });
}

/** One report line: `replayed  p0@12  evt=<id>  error-code=not_json  -> <topic>`. */
export function formatReplayLine(line: ReplayedMessage): string {
  const parts = [
    line.action.padEnd(8),
    `p${line.partition}@${line.offset}`,
    `evt=${line.eventId ?? '-'}`,
    `error-code=${line.errorCode ?? '-'}`,
    `-> ${line.target}`,
  ];
  return parts.join('  ') + (line.reason ? `  (${line.reason})` : '');
}

export function reportLine(
  partition: number,
  message: KafkaMessage,
  decision: ReplayDecision,
  dryRun: boolean,
): ReplayedMessage {
  const replayAction: ReplayAction = dryRun ? 'would-replay' : 'replayed';
  const head = parseEventHead(message.value);
  return {
    partition,
    offset: message.offset,
    eventId: head.id,
    ...(head.type ? { eventType: head.type } : {}),
    errorCode: headerString(message.headers, HEADERS.errorCode),
    errorMessage: headerString(message.headers, HEADERS.errorMessage),
    ...optional('deadLetteredAt', headerString(message.headers, HEADERS.deadLetteredAt)),
    ...optional('original', originalOf(message.headers)),
    action: decision.replay ? replayAction : 'skipped',
    target: decision.target,
    ...(decision.replay ? {} : { reason: decision.reason }),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
