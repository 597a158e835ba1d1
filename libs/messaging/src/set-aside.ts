import type { IHeaders, KafkaMessage, Message, Producer } from 'kafkajs';
import { dlqTopicOf, retryTopicOf } from '@app/contracts';
import { HEADERS, headerString, SET_ASIDE_HEADERS, withoutHeaders } from './headers';
import { groupByTopic } from './topic-messages';

/** A message moved out of its partition's way, bytes untouched, with why and where it was. */
export interface SetAsideCopy {
  topic: string;
  message: Message;
}

export interface Origin {
  /** The topic the event was first published to (a retry copy carries it in a header). */
  sourceTopic: string;
  consumedTopic: string;
  partition: number;
  message: KafkaMessage;
}

export interface Reason {
  code: string;
  message: string;
}

function baseHeaders(origin: Origin, reason: Reason): IHeaders {
  const { message } = origin;
  // A retry copy already names where the event was first consumed; keep that, not the retry topic.
  const firstSeen = headerString(message.headers, HEADERS.originalTopic) !== undefined;
  return {
    ...withoutHeaders(message.headers, [
      HEADERS.errorCode,
      HEADERS.errorMessage,
      HEADERS.retryAttempt,
      HEADERS.retryDueAt,
    ]),
    ...(firstSeen
      ? {}
      : {
          [HEADERS.originalTopic]: origin.sourceTopic,
          [HEADERS.originalPartition]: String(origin.partition),
          [HEADERS.originalOffset]: message.offset,
          [HEADERS.originalTimestamp]: message.timestamp,
        }),
    [HEADERS.errorCode]: reason.code,
    [HEADERS.errorMessage]: reason.message.slice(0, 1000),
  };
}

export function deadLetterCopy(origin: Origin, reason: Reason, now: Date): SetAsideCopy {
  return {
    topic: dlqTopicOf(origin.sourceTopic),
    message: {
      key: origin.message.key,
      value: origin.message.value,
      headers: { ...baseHeaders(origin, reason), [HEADERS.deadLetteredAt]: now.toISOString() },
    },
  };
}

export function retryCopy(
  origin: Origin,
  reason: Reason,
  attempt: number,
  dueAt: number,
): SetAsideCopy {
  return {
    topic: retryTopicOf(origin.sourceTopic, attempt),
    message: {
      key: origin.message.key,
      value: origin.message.value,
      headers: {
        ...baseHeaders(origin, reason),
        [HEADERS.retryAttempt]: String(attempt),
        [HEADERS.retryDueAt]: String(dueAt),
      },
    },
  };
}

/** The message as it was first published: for replaying a dead letter to its source topic. */
export function replayCopy(message: KafkaMessage): Message {
  return {
    key: message.key,
    value: message.value,
    headers: withoutHeaders(message.headers, SET_ASIDE_HEADERS),
  };
}

/** Writes copies durably (acks from all in-sync replicas) before their offsets may be committed. */
export async function sendCopies(
  producer: Producer,
  copies: readonly SetAsideCopy[],
): Promise<void> {
  if (copies.length === 0) return;
  await producer.sendBatch({ acks: -1, topicMessages: groupByTopic(copies) });
}
