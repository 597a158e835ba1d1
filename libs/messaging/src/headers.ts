import type { IHeaders } from 'kafkajs';

/** Headers the messaging layer writes; operators and the replay command read them. */
export const HEADERS = {
  contentType: 'content-type',
  // Why a message was set aside (dead-letter and retry copies).
  errorCode: 'error-code',
  errorMessage: 'error-message',
  // Where the message was first consumed from.
  originalTopic: 'original-topic',
  originalPartition: 'original-partition',
  originalOffset: 'original-offset',
  originalTimestamp: 'original-timestamp',
  deadLetteredAt: 'dead-lettered-at',
  // Retries: which attempt the copy is, and not to run it before this time (epoch ms).
  retryAttempt: 'retry-attempt',
  retryDueAt: 'retry-due-at',
} as const;

/** Headers that belong to a set-aside copy, not to the event; dropped on replay. */
export const SET_ASIDE_HEADERS: readonly string[] = [
  HEADERS.errorCode,
  HEADERS.errorMessage,
  HEADERS.originalTopic,
  HEADERS.originalPartition,
  HEADERS.originalOffset,
  HEADERS.originalTimestamp,
  HEADERS.deadLetteredAt,
  HEADERS.retryAttempt,
  HEADERS.retryDueAt,
];

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

export function withoutHeaders(headers: IHeaders | undefined, names: readonly string[]): IHeaders {
  const drop = new Set(names);
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !drop.has(name)));
}
