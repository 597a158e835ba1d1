import {
  MailRenderer,
  messageIdFor,
  SmtpMailTransport,
  type OutgoingMail,
  type VerificationMailData,
} from '@app/mail';
import { classifyFailure } from '@app/messaging';
import { SmtpSink } from '../support/smtp-sink';

// A rendered verification mail through the product's SMTP transport to a real SMTP server on
// loopback: what arrives, and the error shape the messaging layer classifies (4xx retry, 5xx not).
describe('SmtpMailTransport against a real SMTP server', () => {
  const sink = new SmtpSink();
  const renderer = new MailRenderer();
  let transport: SmtpMailTransport;

  const data: VerificationMailData = {
    displayName: 'Åsa Öberg',
    email: 'asa@example.se',
    verifyUrl: 'https://provisioning.example.se/verify/tok-1?a=1&b=2',
    expiresAt: new Date('2025-03-14T15:30:00Z'),
    loginUrl: 'https://flexhrm.example/login',
    companyName: 'Andersson & Söner AB',
  };

  const mailTo = (to: string, sendId: string): OutgoingMail => ({
    to,
    from: 'Flex HRM <no-reply@flexhrm.example>',
    ...renderer.render('verification', 'sv', { ...data, email: to }),
    messageId: messageIdFor(sendId, 'connect-provisioning.local'),
    headers: { 'X-Request-Id': 'req-42' },
  });

  /** The rejection itself, so a test can check both its shape and how it is classified. */
  const failureOf = (sending: Promise<unknown>): Promise<unknown> =>
    sending.then(
      () => {
        throw new Error('expected the send to be rejected');
      },
      (error: unknown) => error,
    );

  beforeAll(async () => {
    await sink.start();
    transport = new SmtpMailTransport(sink.url, { maxConnections: 2, ratePerSecond: 50 });
  });
  afterAll(async () => {
    await transport.close();
    await sink.stop();
  });
  beforeEach(() => {
    sink.mails.length = 0;
    sink.respond = () => undefined;
  });

  it('delivers a rendered mail: deterministic Message-ID, subject, html and text', async () => {
    const mail = mailTo('asa@example.se', 'req-42/user-1');

    const receipt = await transport.send(mail);

    expect(receipt).toMatchObject({ messageId: mail.messageId, accepted: true });
    expect(receipt.response).toMatch(/^250/);
    expect(sink.mails).toHaveLength(1);
    const [received] = sink.mails;
    expect(received?.envelopeFrom).toBe('no-reply@flexhrm.example');
    expect(received?.envelopeTo).toEqual(['asa@example.se']);
    expect(received?.parsed.messageId).toBe(
      messageIdFor('req-42/user-1', 'connect-provisioning.local'),
    );
    expect(received?.parsed.subject).toBe('Verifiera din e-postadress för Visma Connect');
    expect(received?.parsed.headers.get('x-request-id')).toBe('req-42');
    expect(received?.parsed.html).toBe(mail.html);
    expect(received?.parsed.text?.trim()).toBe(mail.text.trim());
    expect(received?.parsed.text).toContain('https://provisioning.example.se/verify/tok-1?a=1&b=2');
    expect(received?.parsed.text).toContain('”Glömt ditt lösenord?”');
    expect(received?.parsed.html).toContain('Hej Åsa Öberg!');
  });

  it('repeats the Message-ID of a repeated send, so the duplicate is detectable', async () => {
    await transport.send(mailTo('asa@example.se', 'req-42/user-2'));
    await transport.send(mailTo('asa@example.se', 'req-42/user-2'));
    const ids = sink.mails.map((m) => m.parsed.messageId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  it('rejects a 451 answer unchanged, with responseCode 451 (the caller retries)', async () => {
    sink.respond = (rcpt) =>
      rcpt === 'busy@example.se' ? { code: 451, message: 'Try again later' } : undefined;
    const failure = await failureOf(transport.send(mailTo('busy@example.se', 'req-42/user-3')));
    expect(failure).toMatchObject({ responseCode: 451 });
    expect(classifyFailure(failure)).toBe('transient');
    expect(sink.mails).toHaveLength(0);
  });

  it('rejects a 550 answer unchanged, with responseCode 550 (permanent)', async () => {
    sink.respond = (rcpt) =>
      rcpt === 'nobody@example.se' ? { code: 550, message: 'No such user' } : undefined;
    const failure = await failureOf(transport.send(mailTo('nobody@example.se', 'req-42/user-4')));
    expect(failure).toMatchObject({ responseCode: 550 });
    expect(classifyFailure(failure)).toBe('permanent');
    // The pool is still usable after a rejected recipient.
    await transport.send(mailTo('asa@example.se', 'req-42/user-5'));
    expect(sink.mails).toHaveLength(1);
  });

  it('holds the end of a message until beforeEnd resolves: sent but for its end, not yet accepted', async () => {
    let release: () => void = () => undefined;
    let held = 0;
    const beforeEnd = () => {
      held += 1;
      return new Promise<void>((resolve) => (release = resolve));
    };
    const mail = mailTo('asa@example.se', 'req-42/user-7');
    const sending = transport.send(mail, { beforeEnd });
    await until(() => held === 1);
    // The envelope and the DATA command went out; the server has accepted nothing yet.
    expect(sink.commands.slice(-3)).toEqual([
      expect.stringMatching(/^MAIL FROM/),
      expect.stringMatching(/^RCPT TO/),
      'DATA',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sink.mails).toHaveLength(0);
    release();
    await expect(sending).resolves.toMatchObject({ accepted: true });
    expect(held).toBe(1);
    expect(sink.mails).toHaveLength(1);
    expect(sink.mails[0]?.parsed.html).toBe(mail.html);
  });

  it('abandons a message whose beforeEnd rejects: the server accepts nothing, the pool goes on', async () => {
    const failure = await failureOf(
      transport.send(mailTo('asa@example.se', 'req-42/user-8'), {
        beforeEnd: async () => {
          throw new Error('the delivery record cannot be written');
        },
      }),
    );
    expect(String(failure)).toMatch(/the delivery record cannot be written/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sink.mails).toHaveLength(0);
    await transport.send(mailTo('asa@example.se', 'req-42/user-9'));
    expect(sink.mails.map((m) => m.parsed.messageId)).toEqual([
      messageIdFor('req-42/user-9', 'connect-provisioning.local'),
    ]);
  });

  it('rejects with the connection error code when no server listens', async () => {
    const dead = new SmtpMailTransport('smtp://127.0.0.1:1');
    try {
      const failure = await failureOf(dead.send(mailTo('asa@example.se', 'req-42/user-6')));
      // Only the shape: this error comes from Node's net module, outside jest's sandbox, so
      // `instanceof Error` (and thus classifyFailure) sees a foreign realm here, not in production.
      // nodemailer 10 opens the socket itself and reports a refused connect as ESOCKET with
      // Node's code kept as originalCode; the messaging layer counts ESOCKET as transient.
      expect(failure).toMatchObject({
        code: 'ESOCKET',
        originalCode: 'ECONNREFUSED',
        syscall: 'connect',
      });
    } finally {
      await dead.close();
    }
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
