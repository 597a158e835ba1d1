import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, serializeEvent } from '@app/contracts';
import { messageIdFor } from '@app/mail';
import { sendIdFor } from '@app/verification';
import {
  startVerificationWorker,
  type RunningWorker,
} from '../../apps/verification-worker/src/bootstrap';
import { KafkaTestClient } from '../support/kafka-test-client';
import { SmtpSink } from '../support/smtp-sink';
import { isolatedEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

// From VerificationRequested to the inbox, on the real broker, database and an SMTP server.
describe('verification mail (real Kafka, MongoDB-wire server and SMTP)', () => {
  const sink = new SmtpSink();
  let env: Record<string, string>;
  let kafka: KafkaTestClient;
  let worker: RunningWorker;
  let db: mongoose.Connection;

  beforeAll(async () => {
    await sink.start();
    env = { ...isolatedEnv('mail'), SMTP_URL: sink.url };
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
    await sink.stop();
    await db?.dropDatabase();
    await db?.close();
  });

  const request = (requestId: string, users: { userId: string; email?: string }[]) =>
    createEvent(
      'VerificationRequested',
      { requestId, tenantId: 'tenant-m', requestedBy: { userId: 'admin' }, users },
      { source: '/flex-hrm/test', id: `evt-${requestId}` },
    );
  const send = (event: ReturnType<typeof request>) =>
    kafka.produce(env.TOPIC_VERIFICATION_REQUESTED!, [
      {
        key: 'tenant-m',
        value: serializeEvent(event),
        headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
      },
    ]);
  const completionOf = (requestId: string) =>
    kafka
      .json<{ data: Record<string, unknown> }>(env.TOPIC_VERIFICATION_BATCH_COMPLETED!)
      .find((e) => e.data.requestId === requestId);

  it('delivers one Swedish mail whose link works, with the token stored only as a hash (R1, R2, R4)', async () => {
    await send(request('one', [{ userId: 'anna', email: 'anna@example.se' }]));

    const mail = await waitFor('the mail', () =>
      sink.mails.find((m) => m.envelopeTo.includes('anna@example.se')),
    );
    expect(mail.parsed.subject).toMatch(/Verifiera din e-postadress/);
    expect(mail.parsed.messageId).toBe(
      messageIdFor(sendIdFor('tenant-m', 'one', 'anna'), 'connect-provisioning.local'),
    );
    expect(mail.parsed.text).toContain('Glömt ditt lösenord?');
    const token = /http:\/\/127\.0\.0\.1:8080\/verify\/([A-Za-z0-9_-]+)/.exec(
      mail.parsed.text ?? '',
    )?.[1];
    expect(token).toBeDefined();

    const stored = await waitFor('the user marked verification_sent', () =>
      db.collection('user_states').findOne({ userId: 'anna', status: 'verification_sent' }),
    );
    expect(JSON.stringify(stored)).not.toContain(token!);
    expect((stored.tokens as { hash: string }[]).map((t) => t.hash)).toEqual([
      createHash('sha256').update(token!).digest('hex'),
    ]);
    const done = await waitFor('the batch completion', () => completionOf('one'));
    expect(done.data).toMatchObject({ requested: 1, sent: 1, failed: 0 });
  });

  it('marks a user failed when the server refuses the address (550), and still completes the batch', async () => {
    sink.respond = (rcpt) =>
      rcpt.startsWith('nobody@') ? { code: 550, message: 'No such user' } : undefined;
    await send(
      request('refused', [
        { userId: 'nobody', email: 'nobody@example.se' },
        { userId: 'bo', email: 'bo@example.se' },
      ]),
    );
    const done = await waitFor('the batch completion', () => completionOf('refused'));
    expect(done.data).toMatchObject({ requested: 2, sent: 1, failed: 1 });
    expect(sink.mails.some((m) => m.envelopeTo.includes('nobody@example.se'))).toBe(false);
  });

  it('sends nothing more when the same request is delivered again', async () => {
    const before = sink.mails.length;
    await send(request('one', [{ userId: 'anna', email: 'anna@example.se' }]));
    await send(request('marker', [{ userId: 'marker' }]));
    await waitFor('the marker request to complete', () => completionOf('marker'));
    expect(sink.mails.length).toBe(before);
  });
});
