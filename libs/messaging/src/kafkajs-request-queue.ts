/**
 * A fix of kafkajs 2.2.4's request queue, applied to its class when this module loads.
 *
 * kafkajs schedules a check of its pending requests after every answer, at `throttledUntil -
 * Date.now()`; unthrottled, `throttledUntil` is -1, so the delay is minus the epoch time: Node 24
 * prints a TimeoutNegativeWarning for it (tulios/kafkajs#1751) and runs it after 1 ms, and each
 * run schedules the next, so every broker connection polls its empty queue a thousand times a
 * second for the life of the process (tulios/kafkajs#1704). kafkajs is unmaintained (#1603) and
 * the fixes (#1755, #1768) are not released. Here the check is scheduled only when a request
 * waits, or while a throttle lasts: an empty, unthrottled queue is checked again when the next
 * request arrives or the next answer frees a slot, as kafkajs already does.
 */
// The class is internal to kafkajs: reached by its path, as the fix must reach it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as RequestQueueClass;

/** What the fix touches of kafkajs's RequestQueue. */
export interface RequestQueueState {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

interface RequestQueueClass {
  prototype: RequestQueueState;
}

/** kafkajs's own interval for a waiting request when no throttle applies. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

export function scheduleCheckPendingRequests(this: RequestQueueState): void {
  if (this.throttleCheckTimeoutId) return;
  const throttledFor = this.throttledUntil - Date.now();
  let delay: number;
  if (this.pending.length > 0)
    delay = throttledFor > 0 ? throttledFor : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  else if (throttledFor > 0) delay = throttledFor;
  else return;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
}

RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;

export { RequestQueue as KafkajsRequestQueue };
