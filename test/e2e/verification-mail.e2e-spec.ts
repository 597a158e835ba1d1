import mongoose from 'mongoose';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, serializeEvent } from '@app/contracts';
import { messageIdFor } from '@app/mail';
import { UserStateRepository, VerificationLinkRepository } from '@app/persistence';
import { checkLink, hashVerificationToken, sendIdFor } from '@app/verification';
import {
  startVerificationWorker,
  type RunningWorker,
} from '../../apps/verification-worker/src/bootstrap';
import { KafkaTestClient } from '../support/kafka-test-client';
import { SmtpSink } from '../support/smtp-sink';
import { isolatedEnv } from '../support/test-env';
import { scrapeMetrics } from '../support/metrics-scrape';
import { waitFor } from '../support/wait-for';

type RequestedUser = { userId: string; email?: string };

// From VerificationRequested to the inbox, on the real broker, database and an SMTP server.
describe('verification mail (real Kafka, MongoDB and SMTP)', () => {
  const sink = new SmtpSink();
  let env: Record<string, string>;
  let kafka: KafkaTestClient;
  let worker: RunningWorker;
  let db: mongoose.Connection;

  beforeAll(async () => {
    await sink.start();
    // Retries spread over about three seconds: long enough to outlast a busy server below.
    env = { ...isolatedEnv('mail'), SMTP_URL: sink.url, RETRY_DELAYS_MS: '200,400,800,1600' };
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

  const request = (requestId: string, users: RequestedUser[], part = { index: 1, count: 1 }) =>
    createEvent(
      'VerificationRequested',
      { requestId, tenantId: 'tenant-m', requestedBy: { userId: 'admin' }, users, part },
      { source: '/flex-hrm/test', id: `evt-${requestId}-${part.index}` },
    );
  const send = (...events: ReturnType<typeof request>[]) =>
    kafka.produce(
      env.TOPIC_VERIFICATION_REQUESTED!,
      events.map((event) => ({
        key: 'tenant-m',
        value: serializeEvent(event),
        headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
      })),
    );
  const completionsOf = (requestId: string) =>
    kafka
      .json<{ data: Record<string, unknown> }>(env.TOPIC_VERIFICATION_BATCH_COMPLETED!)
      .filter((e) => e.data.requestId === requestId);
  const completionOf = (requestId: string) => completionsOf(requestId)[0];
  const mailsTo = (address: string) => sink.mails.filter((m) => m.envelopeTo.includes(address));

  it('R1, R2, R4: delivers one Swedish mail whose link works, with the token stored only as a hash', async () => {
    await send(request('one', [{ userId: 'anna', email: 'anna@example.se' }]));

    const mail = await waitFor('the mail', () => mailsTo('anna@example.se')[0]);
    expect(mail.parsed.subject).toMatch(/Verifiera din e-postadress/);
    expect(mail.parsed.messageId).toBe(
      messageIdFor(sendIdFor('tenant-m', 'one', 'anna'), 'connect-provisioning.local'),
    );
    expect(mail.parsed.text).toContain('Glömt ditt lösenord?');
    const token = /http:\/\/127\.0\.0\.1:8080\/verify\/([A-Za-z0-9_-]+)/.exec(
      mail.parsed.text ?? '',
    )?.[1];
    expect(token).toBeDefined();

    const done = await waitFor('the batch completion', () => completionOf('one'));
    expect(done.data).toMatchObject({ requested: 1, sent: 1, failed: 0 });
    const [state] = await new UserStateRepository(db).findByUserIds('tenant-m', ['anna']);
    expect(state).toMatchObject({ status: 'verification_sent', email: 'anna@example.se' });
    const links = await db.collection('verification_links').find({ userId: 'anna' }).toArray();
    expect(links.map((l) => l._id)).toEqual([hashVerificationToken(token!)]);
    // The link in the mail opens Anna's verification: what the page will check.
    const link = await new VerificationLinkRepository(db).findByHash(hashVerificationToken(token!));
    expect(checkLink(link, state, new Date())).toBe('valid');
    const everything = JSON.stringify([
      await db.collection('user_states').find({}).toArray(),
      links,
      await db.collection('verification_outcomes').find({}).toArray(),
    ]);
    expect(everything).not.toContain(token!);
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
    expect(mailsTo('nobody@example.se')).toHaveLength(0);
    const reason = kafka
      .json<{ data: Record<string, unknown> }>(env.TOPIC_VERIFICATION_STATUS_CHANGED!)
      .find((e) => e.data.userId === 'nobody' && e.data.reason)?.data.reason;
    expect(reason).toBe('SMTP 550');
  });

  it('sends nothing more when the same request is delivered again', async () => {
    const before = sink.mails.length;
    await send(request('one', [{ userId: 'anna', email: 'anna@example.se' }]));
    await send(request('marker', [{ userId: 'marker' }]));
    await waitFor('the marker request to complete', () => completionOf('marker'));
    expect(sink.mails.length).toBe(before);
    expect(completionsOf('one')).toHaveLength(1);
  });

  it('keeps retrying while the server answers 451, then delivers every mail once', async () => {
    const busyUntil = Date.now() + 1500;
    let refusals = 0;
    sink.respond = (rcpt) => {
      if (!rcpt.startsWith('busy-') || Date.now() >= busyUntil) return undefined;
      refusals++;
      return { code: 451, message: 'Try again later' };
    };
    const users = Array.from({ length: 5 }, (_, i) => ({
      userId: `busy-${i}`,
      email: `busy-${i}@example.se`,
    }));
    await send(request('busy', users));
    const done = await waitFor('the batch completion', () => completionOf('busy'));
    expect(done.data).toMatchObject({ requested: 5, sent: 5, failed: 0 });
    expect(refusals).toBeGreaterThanOrEqual(5);
    for (const u of users) expect(mailsTo(u.email)).toHaveLength(1);
  });

  it('mails exactly the eligible users of a 2,000-user request in 3 parts, and completes it once', async () => {
    // Users as an earlier day left them: verified, linked, and mailed a minute ago.
    const states = new UserStateRepository(db);
    const existing = (prefix: string, status: 'verified' | 'linked' | 'verification_sent') =>
      Array.from({ length: 100 }, (_, i) => ({
        state: {
          tenantId: 'tenant-m',
          userId: `${prefix}-${i}`,
          email: `${prefix}-${i}@example.se`,
          status,
          ...(status === 'verification_sent' ? { lastSentAt: new Date(Date.now() - 60_000) } : {}),
        },
        events: [],
      }));
    await states.saveMany([
      ...existing('verified', 'verified'),
      ...existing('linked', 'linked'),
      ...existing('recent', 'verification_sent'),
      ...Array.from({ length: 100 }, (_, i) => ({
        state: {
          tenantId: 'tenant-m',
          userId: `noaddr-${i}`,
          email: null,
          status: 'no_email' as const,
        },
        events: [],
      })),
    ]);
    const users: RequestedUser[] = [
      ...Array.from({ length: 1500 }, (_, i) => ({
        userId: `new-${i}`,
        email: `new-${i}@example.se`,
      })),
      ...Array.from({ length: 100 }, (_, i) => ({
        userId: `invalid-${i}`,
        email: `invalid-${i}@`,
      })),
      ...['verified', 'linked', 'recent', 'noaddr'].flatMap((prefix) =>
        Array.from({ length: 100 }, (_, i) => ({ userId: `${prefix}-${i}` })),
      ),
    ];
    // Shuffled, so every part mixes every kind, and the parts arrive last-first.
    users.sort((a, b) =>
      hashVerificationToken(a.userId).localeCompare(hashVerificationToken(b.userId)),
    );
    expect(users).toHaveLength(2000);
    const parts = [users.slice(0, 700), users.slice(700, 1400), users.slice(1400)];
    const mailedBefore = sink.mails.length;
    const metricsBefore = await scrapeMetrics(worker.healthPort);
    const started = Date.now();
    await send(...parts.map((p, i) => request('bulk', p, { index: i + 1, count: 3 })).reverse());

    const done = await waitFor('the batch completion', () => completionOf('bulk'), {
      timeoutMs: 240_000,
    });
    console.log(`2,000-user request: completed in ${Date.now() - started} ms`);
    expect(done.data).toMatchObject({
      requested: 2000,
      sent: 1500,
      failed: 0,
      skipped: {
        no_email: 100,
        invalid_email: 100,
        already_verified: 100,
        already_linked: 100,
        recently_sent: 100,
      },
    });
    const mailed = sink.mails.slice(mailedBefore).flatMap((m) => m.envelopeTo);
    expect(mailed).toHaveLength(1500);
    // What an operator's Prometheus sees of the same run. The mail step counts a batch once its
    // handler returns, just after that batch's events (the completion among them) are published.
    const sentSeries = 'connect_verification_mails_total{outcome="sent"}';
    const metricsAfter = await waitFor('the last mail batch counted', async () => {
      const scraped = await scrapeMetrics(worker.healthPort);
      return scraped(sentSeries) - metricsBefore(sentSeries) >= 1500 ? scraped : undefined;
    });
    const grew = (series: string) => metricsAfter(series) - metricsBefore(series);
    expect(grew('connect_verification_decisions_total{outcome="send"}')).toBe(1500);
    expect(grew('connect_verification_decisions_total{outcome="invalid_email"}')).toBe(100);
    expect(grew('connect_verification_decisions_total{outcome="recently_sent"}')).toBe(100);
    expect(grew('connect_verification_mails_total{outcome="sent"}')).toBe(1500);
    expect(grew('connect_smtp_send_seconds_count{result="accepted"}')).toBe(1500);
    expect(
      grew(
        `connect_events_consumed_total{group="${env.CONSUMER_GROUP}",topic="${env.TOPIC_VERIFICATION_REQUESTED}",result="handled"}`,
      ),
    ).toBe(3);
    expect(
      grew(`connect_events_produced_total{topic="${env.TOPIC_VERIFICATION_MAIL_REQUESTED}"}`),
    ).toBeGreaterThanOrEqual(1500);
    expect(metricsAfter('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);
    expect(new Set(mailed)).toEqual(
      new Set(Array.from({ length: 1500 }, (_, i) => `new-${i}@example.se`)),
    );
    // The same parts again: nothing more is sent, nothing completes twice.
    await send(...parts.map((p, i) => request('bulk', p, { index: i + 1, count: 3 })));
    await send(request('marker-2', [{ userId: 'marker' }]));
    await waitFor('the marker request to complete', () => completionOf('marker-2'));
    expect(sink.mails.length - mailedBefore).toBe(1500);
    expect(completionsOf('bulk')).toHaveLength(1);
  }, 300_000);
});

// A single send while another tenant's bulk request is being mailed, under a rate limit the bulk
// saturates: the single's mail takes the interactive lane and the next free connection.
describe('the interactive lane (real Kafka, MongoDB and SMTP)', () => {
  const sink = new SmtpSink();
  let env: Record<string, string>;
  let kafka: KafkaTestClient;
  let worker: RunningWorker;

  beforeAll(async () => {
    await sink.start();
    env = { ...isolatedEnv('lane'), SMTP_URL: sink.url, SMTP_RATE_PER_SECOND: '20' };
    kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
    worker = await startVerificationWorker(env);
  });
  afterAll(async () => {
    await worker?.stop();
    await kafka?.close();
    await sink.stop();
    const db = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
    await db.dropDatabase();
    await db.close();
  });

  const send = (
    tenantId: string,
    requestId: string,
    users: RequestedUser[],
    count = 1,
    partition?: number,
  ) =>
    kafka.produce(
      env.TOPIC_VERIFICATION_REQUESTED!,
      Array.from({ length: count }, (_, i) => {
        const part = { index: i + 1, count };
        const event = createEvent(
          'VerificationRequested',
          {
            requestId,
            tenantId,
            requestedBy: { userId: 'admin' },
            users: users.filter((_, u) => u % count === i),
            part,
          },
          { source: '/flex-hrm/test', id: `evt-${requestId}-${part.index}` },
        );
        return {
          key: tenantId,
          value: serializeEvent(event),
          headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
          ...(partition === undefined ? {} : { partition }),
        };
      }),
    );

  it('mails a single send within seconds while 300 mails of a bulk request wait at 20 a second', async () => {
    const bulk = Array.from({ length: 300 }, (_, i) => ({
      userId: `bulk-${i}`,
      email: `bulk-${i}@example.se`,
    }));
    await send('tenant-bulk', 'bulk', bulk, 3);
    await waitFor('the bulk mails to flow', () => sink.mails.length >= 20 || undefined, {
      timeoutMs: 60_000,
    });
    const asked = Date.now();
    await send('tenant-single', 'single', [{ userId: 'new-employee', email: 'ny@example.se' }]);
    await waitFor('the single mail', () =>
      sink.mails.some((m) => m.envelopeTo.includes('ny@example.se')) ? true : undefined,
    );
    const waitedMs = Date.now() - asked;
    const bulkMailed = sink.mails.filter((m) => m.envelopeTo[0]?.startsWith('bulk-')).length;
    // Behind the bulk it would have waited for most of its 300 mails: 15 s at 20 a second.
    expect(waitedMs).toBeLessThan(5_000);
    expect(bulkMailed).toBeLessThan(200);
    await waitFor('the bulk request to be mailed', () => sink.mails.length >= 301 || undefined, {
      timeoutMs: 60_000,
    });
  }, 120_000);

  // The request topic is upstream's, keyed by tenant: two tenants may share a partition, and a
  // single send behind another tenant's 20 parts would wait for their decisions (0.3 s or more
  // each). The decision step passes the bulk parts on to the bulk lane instead.
  it("decides a single send first although it follows another tenant's 20 parts on its partition", async () => {
    const bulk = Array.from({ length: 20_000 }, (_, i) => ({
      userId: `big-${i}`,
      email: `big-${i}@example.se`,
    }));
    await send('tenant-big', 'big', bulk, 20, 0);
    const asked = Date.now();
    await send('tenant-next', 'next', [{ userId: 'new', email: 'next@example.se' }], 1, 0);
    await waitFor('the single mail', () =>
      sink.mails.some((m) => m.envelopeTo.includes('next@example.se')) ? true : undefined,
    );
    expect(Date.now() - asked).toBeLessThan(4_000);
  }, 120_000);
});
