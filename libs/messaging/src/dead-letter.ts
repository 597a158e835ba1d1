import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { dlqTopicOf, type ContractViolation } from '@app/contracts';

/** Why a message was set aside, as headers on its dead-letter copy. */
export interface DeadLetterReason {
  code: string;
  message: string;
}

/** Header names on dead-lettered messages; operators and the replay command read them. */
export const DLQ_HEADERS = {
  code: 'error-code',
  message: 'error-message',
  topic: 'original-topic',
  partition: 'original-partition',
  offset: 'original-offset',
  timestamp: 'original-timestamp',
  failedAt: 'dead-lettered-at',
} as const;

export function reasonFromViolation(violation: ContractViolation): DeadLetterReason {
  return { code: violation.code, message: violation.message };
}

/**
 * Copies a message, bytes untouched, to `<topic>.dlq` with the reason in headers, so the
 * partition can move on and nothing is lost.
 */
export async function deadLetter(
  producer: Producer,
  source: { topic: string; partition: number; message: KafkaMessage },
  reason: DeadLetterReason,
  now: Date = new Date(),
): Promise<void> {
  const { topic, partition, message } = source;
  const headers: IHeaders = {
    ...message.headers,
    [DLQ_HEADERS.code]: reason.code,
    [DLQ_HEADERS.message]: reason.message.slice(0, 2000),
    [DLQ_HEADERS.topic]: topic,
    [DLQ_HEADERS.partition]: String(partition),
    [DLQ_HEADERS.offset]: message.offset,
    [DLQ_HEADERS.timestamp]: message.timestamp,
    [DLQ_HEADERS.failedAt]: now.toISOString(),
  };
  await producer.send({
    topic: dlqTopicOf(topic),
    acks: -1,
    messages: [{ key: message.key, value: message.value, headers }],
  });
}
