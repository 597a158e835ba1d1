import { WirePermits } from './mail-delivery';
import { RecordedMailSender } from './recorded-mail-sender';
import { InMemoryDeliveryStore } from './testing/in-memory-delivery-store';
import type { MailHooks, VerificationMail, VerificationMailer } from './verification-mailer';

type Mail = VerificationMail & { tenantId: string; sendId: string };

function mail(to: string, lane?: 'interactive'): Mail {
  return {
    tenantId: 't',
    sendId: `send-${to}`,
    to,
    token: 'token',
    expiresAt: new Date('2026-12-14T00:00:00Z'),
    ...(lane ? { lane } : {}),
  };
}

/**
 * A mailer whose sends take their connection turn, then wait until the test lets them finish:
 * `started` shows in which order mails got a connection.
 */
class GatedMailer implements VerificationMailer {
  readonly started: string[] = [];
  private readonly gates = new Map<string, () => void>();

  async send(m: VerificationMail, hooks?: MailHooks): Promise<'sent'> {
    await hooks?.beforeStart?.();
    this.started.push(m.to);
    await new Promise<void>((resolve) => this.gates.set(m.to, resolve));
    await hooks?.beforeEnd?.();
    return 'sent';
  }

  finish(to: string): void {
    this.gates.get(to)?.();
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('RecordedMailSender: the interactive lane', () => {
  it('gives the next free connection to an interactive mail before the bulk mails waiting for one', async () => {
    const mailer = new GatedMailer();
    const sender = new RecordedMailSender(new InMemoryDeliveryStore(), mailer, {
      maxInFlight: 1,
      claimLeaseMs: 30_000,
      sender: 'spec',
    });
    const sends = [mail('bulk-1'), mail('bulk-2'), mail('bulk-3')].map((m) => sender.send(m));
    await settle();
    const single = sender.send(mail('single', 'interactive'));
    await settle();
    expect(mailer.started).toEqual(['bulk-1']);

    mailer.finish('bulk-1');
    await sends[0];
    await settle();
    expect(mailer.started).toEqual(['bulk-1', 'single']);

    mailer.finish('single');
    await expect(single).resolves.toEqual({ kind: 'sent' });
    await settle();
    for (const to of ['bulk-2', 'bulk-3']) {
      mailer.finish(to);
      await settle();
    }
    await expect(Promise.all(sends)).resolves.toHaveLength(3);
    expect(mailer.started).toEqual(['bulk-1', 'single', 'bulk-2', 'bulk-3']);
  });

  it('hands no more mails to SMTP at once than there are connections', async () => {
    const mailer = new GatedMailer();
    const sender = new RecordedMailSender(new InMemoryDeliveryStore(), mailer, {
      maxInFlight: 2,
      claimLeaseMs: 30_000,
      sender: 'spec',
    });
    const sends = ['a', 'b', 'c', 'd'].map((to) => sender.send(mail(to)));
    await settle();
    expect(mailer.started).toEqual(['a', 'b']);
    for (const to of ['a', 'b', 'c', 'd']) {
      mailer.finish(to);
      await settle();
      await settle();
    }
    await Promise.all(sends);
    expect(mailer.started).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('WirePermits', () => {
  it('gives a freed permit to the urgent before those who asked earlier, each kind in order', async () => {
    const permits = new WirePermits(1);
    await permits.acquire();
    const order: string[] = [];
    const ask = (name: string, urgent: boolean) =>
      permits.acquire(urgent).then(() => {
        order.push(name);
      });
    const waiting = [ask('bulk-1', false), ask('bulk-2', false), ask('urgent-1', true)];
    waiting.push(ask('urgent-2', true));
    for (let i = 0; i < 4; i++) {
      permits.release();
      await settle();
    }
    await Promise.all(waiting);
    expect(order).toEqual(['urgent-1', 'urgent-2', 'bulk-1', 'bulk-2']);
  });
});
