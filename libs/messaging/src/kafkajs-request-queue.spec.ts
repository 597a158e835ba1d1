import { KafkajsRequestQueue, type RequestQueueState } from './kafkajs-request-queue';

type Queue = RequestQueueState & { destroy?(): void };

function queue(): Queue {
  const quiet = () => undefined;
  const Ctor = KafkajsRequestQueue as unknown as new (options: object) => Queue;
  return new Ctor({
    maxInFlightRequests: 1,
    requestTimeout: 1000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: '127.0.0.1:9092',
    logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
  });
}

describe('kafkajs request queue (tulios/kafkajs#1751, #1704)', () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);

  beforeEach(() => {
    warnings.length = 0;
    process.on('warning', onWarning);
  });

  afterEach(() => {
    process.off('warning', onWarning);
  });

  it('leaves an empty, unthrottled queue without a timer: no 1 ms polling, no negative timeout', async () => {
    const q = queue();
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(warnings.filter((w) => w.name === 'TimeoutNegativeWarning')).toEqual([]);
  });

  it('checks a waiting request after kafkajs own interval, and a throttled one when the throttle ends', () => {
    const q = queue();
    q.pending.push({});
    q.scheduleCheckPendingRequests();
    const waiting = q.throttleCheckTimeoutId as unknown as { _idleTimeout: number } | null;
    expect(waiting?._idleTimeout).toBe(10);
    clearTimeout(q.throttleCheckTimeoutId ?? undefined);
    q.throttleCheckTimeoutId = null;

    q.pending.length = 0;
    q.throttledUntil = Date.now() + 500;
    q.scheduleCheckPendingRequests();
    const throttled = q.throttleCheckTimeoutId as unknown as { _idleTimeout: number } | null;
    expect(throttled?._idleTimeout).toBeGreaterThan(400);
    clearTimeout(q.throttleCheckTimeoutId ?? undefined);
  });
});
