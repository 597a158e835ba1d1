import type { Kafka } from 'kafkajs';
import { dlqTopicOf } from '@app/contracts';
import { replayDeadLetters, type ReplayedMessage } from './dead-letter-replay';

const DLQ_SUFFIX = dlqTopicOf('');

/** What operators see of dead letters: which topics hold some, and each one with its reason. */
export interface DeadLetterTopic {
  topic: string;
  sourceTopic: string;
  /** Messages retained: high watermark minus low, over the partitions. */
  messages: number;
}

/** One dead letter: where it sits, why it was set aside, what it was. */
export type DeadLetter = Omit<ReplayedMessage, 'action' | 'target' | 'reason'>;

/** The source topic of a dead-letter topic; any other name is taken as a source topic. */
export function sourceTopicOf(topic: string): string {
  return topic.endsWith(DLQ_SUFFIX) ? topic.slice(0, -DLQ_SUFFIX.length) : topic;
}

/**
 * The dead-letter topics on the broker, by name, with the messages each retains: all of them,
 * or only those of `sourceTopics` (a deployment's own, on a shared broker) that exist.
 */
export async function readDeadLetterTopics(
  kafka: Kafka,
  sourceTopics?: readonly string[],
): Promise<DeadLetterTopic[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = (await admin.listTopics()).filter((t) => t.endsWith(DLQ_SUFFIX));
    const wanted = sourceTopics ? new Set(sourceTopics.map(dlqTopicOf)) : undefined;
    const names = existing.filter((t) => !wanted || wanted.has(t)).sort();
    return await Promise.all(
      names.map(async (topic) => {
        const offsets = await admin.fetchTopicOffsets(topic);
        const messages = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
        return { topic, sourceTopic: sourceTopicOf(topic), messages };
      }),
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * Every dead letter of a source topic (with `errorCode`: those with that code), read through
 * a dry run from the beginning: a throwaway group, nothing produced, nobody's position moved.
 */
export async function readDeadLetters(
  kafka: Kafka,
  sourceTopic: string,
  errorCode?: string,
): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  await replayDeadLetters(kafka, {
    sourceTopic,
    dryRun: true,
    fromBeginning: true,
    ...(errorCode ? { errorCode } : {}),
    idleTimeoutMs: 15_000,
    onMessage: (line) => {
      // Skipped only for another code: without one, every dead letter is shown.
      if (line.action === 'skipped' && errorCode) return;
      letters.push(deadLetterOf(line));
    },
  });
  return letters;
}

function deadLetterOf(line: ReplayedMessage): DeadLetter {
  const { partition, offset, eventId, eventType, errorCode, errorMessage } = line;
  return {
    partition,
    offset,
    ...(eventId ? { eventId } : {}),
    ...(eventType ? { eventType } : {}),
    ...(errorCode ? { errorCode } : {}),
    ...(errorMessage ? { errorMessage } : {}),
    ...(line.deadLetteredAt ? { deadLetteredAt: line.deadLetteredAt } : {}),
    ...(line.original ? { original: line.original } : {}),
  };
}
