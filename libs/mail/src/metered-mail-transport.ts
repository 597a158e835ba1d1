import { Counter, Histogram, type Registry } from 'prom-client';
import type { MailTransport, OutgoingMail, SendOptions, SendReceipt } from './mail-transport';

/**
 * Any MailTransport, timed and counted for /metrics: how long the server took to accept or
 * refuse each mail, and every failure by its SMTP reply code (or the error code, such as
 * ECONNREFUSED, when there was no reply).
 */
export class MeteredMailTransport implements MailTransport {
  private readonly seconds: Histogram<'result'>;
  private readonly failures: Counter<'code'>;

  constructor(
    private readonly inner: MailTransport,
    registry: Registry,
  ) {
    this.seconds = new Histogram({
      name: 'connect_smtp_send_seconds',
      help: 'Time from handing a mail to the SMTP pool to the server accepting or refusing it, without the sender holding its end',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'connect_smtp_failures_total',
      help: 'Mails the SMTP server refused or could not take, by reply or error code',
      labelNames: ['code'],
      registers: [registry],
    });
  }

  async send(mail: OutgoingMail, options: SendOptions = {}): Promise<SendReceipt> {
    const started = performance.now();
    // The caller's waits before the start and at the end are its own, not the server's time.
    let held = 0;
    const timedWait = (wait: (() => Promise<void>) | undefined) => async (): Promise<void> => {
      const holding = performance.now();
      try {
        await wait?.();
      } finally {
        held += performance.now() - holding;
      }
    };
    const timed: SendOptions = {
      ...(options.beforeStart ? { beforeStart: timedWait(options.beforeStart) } : {}),
      ...(options.beforeEnd ? { beforeEnd: timedWait(options.beforeEnd) } : {}),
    };
    const observe = (result: string) =>
      this.seconds.observe({ result }, (performance.now() - started - held) / 1000);
    try {
      const receipt = await this.inner.send(mail, timed);
      observe(receipt.accepted ? 'accepted' : 'rejected');
      if (!receipt.accepted) this.failures.inc({ code: 'rejected' });
      return receipt;
    } catch (error) {
      observe('failed');
      this.failures.inc({ code: failureCode(error) });
      throw error;
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

function failureCode(error: unknown): string {
  const { responseCode, code, originalCode } = (error ?? {}) as {
    responseCode?: unknown;
    code?: unknown;
    originalCode?: unknown;
  };
  if (typeof responseCode === 'number') return String(responseCode);
  // nodemailer 8+ wraps socket errors as ESOCKET and keeps Node's code (ECONNREFUSED, ...)
  // beside it: that one tells an operator what went wrong.
  if (typeof originalCode === 'string') return originalCode;
  return typeof code === 'string' ? code : 'unknown';
}
