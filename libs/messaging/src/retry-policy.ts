import type { IHeaders } from 'kafkajs';
import { HEADERS, headerString } from './headers';

export interface RetryPolicy {
  /** Delay before attempt n+1 is `delaysMs[n]`; their count is the number of retries. */
  delaysMs: readonly number[];
}

/** Where a message that failed goes next. */
export type RetryStep =
  | { kind: 'retry'; attempt: number; dueAt: number }
  | { kind: 'dead-letter'; code: 'retries_exhausted' };

/** Attempt 0 is the first delivery on the source topic; retry topic n carries attempt n. */
export function nextRetryStep(policy: RetryPolicy, attempt: number, now: number): RetryStep {
  const delay = policy.delaysMs[attempt];
  if (delay === undefined) return { kind: 'dead-letter', code: 'retries_exhausted' };
  return { kind: 'retry', attempt: attempt + 1, dueAt: now + delay };
}

export interface RetryHeaders {
  attempt: number;
  dueAt: number;
  originalTopic: string;
}

/**
 * Reads the retry headers of a message from a retry topic. Malformed headers are the message's
 * problem, reported as such: the caller dead-letters it instead of guessing.
 */
export function readRetryHeaders(
  headers: IHeaders | undefined,
): { ok: true; value: RetryHeaders } | { ok: false; message: string } {
  const attempt = Number(headerString(headers, HEADERS.retryAttempt));
  const dueAt = Number(headerString(headers, HEADERS.retryDueAt));
  const originalTopic = headerString(headers, HEADERS.originalTopic);
  if (!Number.isInteger(attempt) || attempt < 1)
    return { ok: false, message: `header ${HEADERS.retryAttempt} must be a positive integer` };
  if (!Number.isFinite(dueAt) || dueAt < 0)
    return {
      ok: false,
      message: `header ${HEADERS.retryDueAt} must be a time in epoch milliseconds`,
    };
  if (!originalTopic) return { ok: false, message: `header ${HEADERS.originalTopic} is missing` };
  return { ok: true, value: { attempt, dueAt, originalTopic } };
}

/** Parses "1000,10000,60000" into delays; the count is the number of retries. */
export function parseRetryDelays(raw: string): number[] | undefined {
  if (raw.trim() === '') return [];
  const delays = raw.split(',').map((s) => Number(s.trim()));
  return delays.every((d) => Number.isInteger(d) && d >= 0) ? delays : undefined;
}
