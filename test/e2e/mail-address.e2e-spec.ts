import mongoose from 'mongoose';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, serializeEvent } from '@app/contracts';
import { InvalidRecipientError, messageIdFor, SmtpMailTransport } from '@app/mail';
import {
  startVerificationWorker,
  type RunningWorker,
} from '../../apps/verification-worker/src/bootstrap';
import { KafkaTestClient } from '../support/kafka-test-client';
import { SmtpSink } from '../support/smtp-sink';
import { isolatedEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

// Issue 18, finding 4: what reaches RCPT TO is the address the rule accepted, in its A-label
// form, and an address built to misroute mail never reaches the SMTP server at all.
const IDN = 'anna@Exämple.se';
const IDN_STORED = 'anna@xn--exmple-cua.se';
const HOSTILE = {
  quotedAt: '"x@evil.example"@example.com',
  crlf: '"bo\r\nRCPT TO:<x@evil.example>"@example.se',
  softHyphen: 'cia@exa\u00admple.se',
  zeroWidth: 'dan@exa\u200bmple.se',
};

describe('addresses on the way to a real SMTP server', () => {
  const sink = new SmtpSink();
  /** The addresses of the RCPT TO lines on the wire (smtp-server decodes IDN domains). */
  const rcptTo = {
    length: 0,
    clear() {
      this.length = sink.commands.length;
    },
    sent(): string[] {
      return sink.commands
        .slice(this.length)
        .flatMap((line) => /^RCPT TO:<([^>]*)>/i.exec(line)?.[1] ?? []);
    },
  };

  beforeAll(() => sink.start());
  afterAll(() => sink.stop());

  describe('SmtpMailTransport', () => {
    let transport: SmtpMailTransport;
    beforeAll(() => {
      transport = new SmtpMailTransport(sink.url, { maxConnections: 1 });
    });
    afterAll(() => transport.close());

    const mailTo = (to: string, sendId: string) => ({
      to,
      from: 'Flex HRM <no-reply@flexhrm.example>',
      subject: 'Verifiera din e-postadress',
      html: '<p>Hej</p>',
      text: 'Hej',
      messageId: messageIdFor(sendId, 'connect-provisioning.local'),
    });

    it('sends an IDN address as the A-label form, in the envelope and in the To header', async () => {
      rcptTo.clear();
      await transport.send(mailTo(IDN, 'addr/idn'));
      expect(rcptTo.sent()).toEqual([IDN_STORED]);
      const mail = sink.mails.at(-1);
      expect(mail?.raw.toString('utf8')).toMatch(/^To: anna@xn--exmple-cua\.se\r$/m);
    });

    it.each(Object.entries(HOSTILE))(
      'never opens an SMTP transaction for a hostile address (%s)',
      async (_what, to) => {
        rcptTo.clear();
        const mailsBefore = sink.mails.length;
        await expect(transport.send(mailTo(to, `addr/${_what}`))).rejects.toBeInstanceOf(
          InvalidRecipientError,
        );
        // A well-formed send on the same pool afterwards: the server saw only that one.
        await transport.send(mailTo('eva@example.se', `addr/${_what}/after`));
        expect(rcptTo.sent()).toEqual(['eva@example.se']);
        expect(sink.mails.slice(mailsBefore).map((m) => m.envelopeTo)).toEqual([
          ['eva@example.se'],
        ]);
      },
    );
  });

  describe('the request path (real Kafka, MongoDB and the verification worker)', () => {
    let env: Record<string, string>;
    let kafka: KafkaTestClient;
    let worker: RunningWorker;
    let db: mongoose.Connection;

    beforeAll(async () => {
      env = { ...isolatedEnv('mail-address'), SMTP_URL: sink.url };
      kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
      worker = await startVerificationWorker(env);
      await kafka.watch([
        env.TOPIC_VERIFICATION_BATCH_COMPLETED!,
        env.TOPIC_VERIFICATION_STATUS_CHANGED!,
      ]);
      db = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
    });
    afterAll(async () => {
      await worker?.stop();
      await kafka?.close();
      await db?.dropDatabase();
      await db?.close();
    });

    it('saves and mails the A-label form, and skips every hostile address as invalid_email', async () => {
      rcptTo.clear();
      const users = [
        { userId: 'anna', email: IDN },
        ...Object.entries(HOSTILE).map(([userId, email]) => ({ userId, email })),
      ];
      const event = createEvent(
        'VerificationRequested',
        { requestId: 'addr', tenantId: 'tenant-a', requestedBy: { userId: 'admin' }, users },
        { source: '/flex-hrm/test', id: 'evt-addr' },
      );
      await kafka.produce(env.TOPIC_VERIFICATION_REQUESTED!, [
        {
          key: 'tenant-a',
          value: serializeEvent(event),
          headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
        },
      ]);

      const done = await waitFor('the batch completion', () =>
        kafka
          .json<{ data: Record<string, unknown> }>(env.TOPIC_VERIFICATION_BATCH_COMPLETED!)
          .find((e) => e.data.requestId === 'addr'),
      );
      expect(done.data).toMatchObject({ requested: 5, sent: 1, skipped: { invalid_email: 4 } });
      expect(rcptTo.sent()).toEqual([IDN_STORED]);

      const states = await db.collection('user_states').find({ tenantId: 'tenant-a' }).toArray();
      expect(states.map((s) => s.email as unknown).filter(Boolean)).toEqual([IDN_STORED]);
      const events = JSON.stringify(kafka.json(env.TOPIC_VERIFICATION_STATUS_CHANGED!));
      expect(events).toContain(IDN_STORED);
      for (const needle of ['evil.example', '\\r', '\\n', '\\u00ad', '\u00ad', '\u200b'])
        expect(events).not.toContain(needle);
    });
  });
});
