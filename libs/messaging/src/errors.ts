/**
 * How a failed handler is treated, decided once per error:
 * - `permanent`: the message itself is the problem (or the code is); retrying cannot help.
 *   It goes straight to the dead-letter topic.
 * - `transient`: this message may succeed later (a 4xx from SMTP, a lost connection). It goes to
 *   the next retry topic, with a growing delay, and to the dead-letter topic when they run out.
 * - `unavailable`: a dependency every message needs is down (database, broker). Moving messages
 *   aside would only empty the topic into the dead-letter topic, so the consumer waits in place.
 */
export type FailureKind = 'permanent' | 'transient' | 'unavailable';

/** Throw from a handler when a failure is known to be permanent. */
export class PermanentError extends Error {
  readonly failureKind = 'permanent' as const;
  constructor(
    message: string,
    readonly code = 'permanent_failure',
  ) {
    super(message);
    this.name = 'PermanentError';
  }
}

/** Throw from a handler when a failure is known to be worth retrying later. */
export class TransientError extends Error {
  readonly failureKind = 'transient' as const;
  constructor(
    message: string,
    readonly code = 'transient_failure',
  ) {
    super(message);
    this.name = 'TransientError';
  }
}

const UNAVAILABLE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongooseServerSelectionError',
  'KafkaJSConnectionError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSRequestTimeoutError',
]);

const TRANSIENT_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ESOCKET',
  'ECONNECTION',
]);

// Bugs in our own code: retrying runs the same bug again.
const PROGRAMMING_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError];

export function classifyFailure(error: unknown): FailureKind {
  // Error-shaped, not `instanceof Error`: errors from another realm (a VM context, a worker,
  // jest's sandbox) fail instanceof but are errors all the same.
  if (!isErrorLike(error)) return 'permanent';
  const marked = (error as { failureKind?: unknown }).failureKind;
  if (marked === 'permanent' || marked === 'transient' || marked === 'unavailable') return marked;
  if (UNAVAILABLE_NAMES.has(error.name)) return 'unavailable';
  const responseCode = (error as { responseCode?: unknown }).responseCode;
  if (typeof responseCode === 'number')
    return responseCode >= 400 && responseCode < 500 ? 'transient' : 'permanent';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_SYSTEM_CODES.has(code)) return 'transient';
  if ((error as { retriable?: unknown }).retriable === true) return 'transient';
  if (PROGRAMMING_ERRORS.some((type) => error instanceof type)) return 'permanent';
  // Unknown failures get the bounded retries: a wrong guess costs a few attempts, not a message.
  return 'transient';
}

function isErrorLike(error: unknown): error is Error {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string' &&
    typeof (error as { name?: unknown }).name === 'string'
  );
}

/** A short, stable code for headers and metrics. */
export function failureCode(error: unknown): string {
  if (error instanceof PermanentError || error instanceof TransientError) return error.code;
  if (error instanceof Error)
    return error.name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64) || 'Error';
  return 'non_error_thrown';
}

export function failureMessage(error: unknown): string {
  return (isErrorLike(error) ? error.message : String(error)).slice(0, 1000);
}
