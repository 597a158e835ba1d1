import mongoose from 'mongoose';
import {
  CLOUDEVENTS_CONTENT_TYPE,
  createEvent,
  serializeEvent,
  vismaConnectLinkedId,
} from '@app/contracts';
import { EmailVerifiedLogRepository, VerificationLinkRepository } from '@app/persistence';
import { createLogger } from '@app/observability';
import { issueLink } from '@app/verification';
import {
  startVerificationPage,
  type RunningPage,
} from '../../apps/verification-page/src/bootstrap';
import {
  startVerificationWorker,
  type RunningWorker,
} from '../../apps/verification-worker/src/bootstrap';
import { KafkaTestClient } from '../support/kafka-test-client';
import { freePort, openPage, pressButton, tokenIn } from '../support/page-client';
import { SmtpSink } from '../support/smtp-sink';
import { isolatedEnv } from '../support/test-env';
import { scrapeMetrics } from '../support/metrics-scrape';
import { waitFor } from '../support/wait-for';

const TENANT = 'tenant-p';
const MIN_RESPONSE_MS = 150;

// The verification page and the linker, on the real broker, database and an SMTP server.
describe('verification page and linker (real Kafka, MongoDB and SMTP)', () => {
  const sink = new SmtpSink();
  let env: Record<string, string>;
  let baseUrl: string;
  let kafka: KafkaTestClient;
  let worker: RunningWorker;
  let page: RunningPage;
  let db: mongoose.Connection;
  let requests = 0;
  const pageLog: string[] = [];

  beforeAll(async () => {
    await sink.start();
    baseUrl = `http://127.0.0.1:${await freePort()}`;
    env = {
      ...isolatedEnv('page'),
      SMTP_URL: sink.url,
      PUBLIC_BASE_URL: baseUrl,
      PAGE_PORT: new URL(baseUrl).port,
      PAGE_MIN_RESPONSE_MS: String(MIN_RESPONSE_MS),
      PAGE_RATE_LIMIT_PER_MINUTE: '10000',
    };
    kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
    worker = await startVerificationWorker(env);
    page = await startVerificationPage(
      env,
      createLogger({
        service: 'verification-page',
        version: 'test',
        level: 'info',
        destination: { write: (line: string) => void pageLog.push(line) },
      }),
    );
    await kafka.watch([
      env.TOPIC_EMAIL_VERIFIED!,
      env.TOPIC_VISMA_CONNECT_LINKED!,
      env.TOPIC_VERIFICATION_STATUS_CHANGED!,
    ]);
    db = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
  });
  afterAll(async () => {
    await page?.stop();
    await worker?.stop();
    await kafka?.close();
    await sink.stop();
    await db?.dropDatabase();
    await db?.close();
  });

  /** Asks for a verification mail to the address and returns the link it carries. */
  async function mailLink(userId: string, email: string): Promise<string> {
    const before = sink.mails.filter((m) => m.envelopeTo.includes(email)).length;
    const sentBefore = await lastSentAt(userId);
    requests += 1;
    const event = createEvent(
      'VerificationRequested',
      {
        requestId: `req-${requests}`,
        tenantId: TENANT,
        requestedBy: { userId: 'admin' },
        users: [{ userId, email }],
        resend: true,
      },
      { source: '/flex-hrm/test' },
    );
    await sendTo(env.TOPIC_VERIFICATION_REQUESTED!, TENANT, event);
    const mail = await waitFor(
      `a mail to ${email}`,
      () => sink.mails.filter((m) => m.envelopeTo.includes(email))[before],
    );
    // The send is recorded once SMTP has answered, a moment after the sink holds the mail, and
    // that record is what voids the earlier links (verification-link.ts).
    await waitFor(`the mail to ${email} recorded as sent`, async () => {
      const sentAt = await lastSentAt(userId);
      return sentAt !== undefined && sentAt !== sentBefore ? true : undefined;
    });
    const token = tokenIn(mail.parsed.text, baseUrl);
    if (!token) throw new Error('no link in the mail');
    return `${baseUrl}/verify/${token}`;
  }

  const sendTo = (topic: string, key: string, event: ReturnType<typeof createEvent>) =>
    kafka.produce(topic, [
      {
        key,
        value: serializeEvent(event),
        headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
      },
    ]);
  const eventsFor = (topic: string, userId: string) =>
    kafka
      .json<{ id: string; data: Record<string, unknown> }>(topic)
      .filter((e) => e.data.userId === userId);
  const linkedEvents = (userId: string) => eventsFor(env.TOPIC_VISMA_CONNECT_LINKED!, userId);
  const stateOf = (userId: string) =>
    db.collection('user_states').findOne({ tenantId: TENANT, userId });
  /** When the user's last mail was recorded as sent, in ms; undefined before any. */
  const lastSentAt = async (userId: string): Promise<number | undefined> => {
    const state = await db
      .collection<{ lastSentAt?: Date }>('user_states')
      .findOne({ tenantId: TENANT, userId });
    return state?.lastSentAt?.getTime();
  };
  /** Lets the linker catch up: a marker user linked after `userId`'s events were sent. */
  async function linkerCaughtUp(): Promise<void> {
    const marker = `marker-${Date.now()}`;
    await sendTo(
      env.TOPIC_EMAIL_VERIFIED!,
      `${TENANT}:${marker}`,
      createEvent(
        'EmailVerified',
        {
          tenantId: TENANT,
          userId: marker,
          email: 'nobody@example.se',
          verifiedAt: new Date().toISOString(),
          method: 'visma-connect',
        },
        { source: '/visma-connect/test' },
      ),
    );
    const log = new EmailVerifiedLogRepository(db);
    await waitFor('the linker to reach the marker', async () =>
      (await log.findByUser(TENANT, marker)).length > 0 ? true : undefined,
    );
  }

  it('R2: GET and HEAD show the page and never verify; the page is safe to show', async () => {
    const url = await mailLink('greta', 'greta.get@example.se');

    const shown = await openPage(url);
    expect(shown.status).toBe(200);
    expect(shown.html).toContain('Verifiera e-postadress');
    expect(shown.html).toContain('g***@e***.se');
    expect(shown.html).not.toContain('greta.get@example.se');
    expect(shown.html).not.toMatch(/<script/i);
    expect(shown.headers.get('referrer-policy')).toBe('no-referrer');
    expect(shown.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(shown.headers.get('content-security-policy')).toContain("form-action 'self'");
    expect(shown.headers.get('cache-control')).toBe('no-store');
    expect(shown.headers.getSetCookie()[0]).toMatch(/SameSite=Strict/i);
    expect(shown.headers.getSetCookie()[0]).toMatch(/HttpOnly/i);
    const head = await openPage(url, 'HEAD');
    expect(head.status).toBe(200);
    await openPage(url);

    await linkerCaughtUp();
    expect(eventsFor(env.TOPIC_EMAIL_VERIFIED!, 'greta')).toHaveLength(0);
    expect(linkedEvents('greta')).toHaveLength(0);
    expect((await stateOf('greta'))?.status).toBe('unverified');
    expect(await db.collection('verification_link_uses').countDocuments()).toBe(0);
    // The link still works after all that looking.
    expect((await pressButton(url, shown)).html).toContain('Din e-postadress är verifierad');
  });

  it('R2, R3, R4: POST verifies, links once, shows the next step, and says "already verified" the second time', async () => {
    const url = await mailLink('hugo', 'hugo@example.se');
    const shown = await openPage(url);

    const withoutForm = await pressButton(url, {});
    expect(withoutForm.status).toBe(403);
    expect(withoutForm.html).toContain('Sidan behöver laddas om');
    const forged = await pressButton(url, { cookie: shown.cookie, csrf: 'forged' });
    expect(forged.status).toBe(403);

    const verified = await pressButton(url, shown);
    expect(verified.status).toBe(200);
    expect(verified.html).toContain('Din e-postadress är verifierad');
    expect(verified.html).toContain('Glömt ditt lösenord?');
    expect(verified.html).toContain('href="https://connect.visma.com/login"');

    const linked = await waitFor('VismaConnectLinked for hugo', () => linkedEvents('hugo')[0]);
    expect(linked.id).toBe(vismaConnectLinkedId(TENANT, 'hugo', 'hugo@example.se'));
    expect(linked.data).toMatchObject({ tenantId: TENANT, email: 'hugo@example.se' });
    expect(eventsFor(env.TOPIC_EMAIL_VERIFIED!, 'hugo')[0]?.data).toMatchObject({
      email: 'hugo@example.se',
      method: 'link',
    });
    await waitFor('the linked status', () =>
      eventsFor(env.TOPIC_VERIFICATION_STATUS_CHANGED!, 'hugo').find(
        (e) => e.data.status === 'linked',
      ),
    );
    expect(await stateOf('hugo')).toMatchObject({ status: 'linked', email: 'hugo@example.se' });

    const again = await pressButton(url, shown);
    expect(again.status).toBe(200);
    expect(again.html).toContain('Din e-postadress är redan verifierad');
    // The page's log says what happened to which link, without the token or the cookie.
    const token = url.split('/').pop()!;
    expect(pageLog.join('\n')).toContain('verification confirmed');
    expect(pageLog.join('\n')).not.toContain(token);
    expect(pageLog.join('\n')).not.toContain(shown.cookie!.split('=')[1]!);
    expect((await openPage(url)).html).toContain('Din e-postadress är redan verifierad');
    await linkerCaughtUp();
    expect(linkedEvents('hugo')).toHaveLength(1);
  });

  it('a resend voids the earlier link: the first link is refused, the second works (issue 18)', async () => {
    const first = await mailLink('ines', 'ines@example.se');
    const firstForm = await openPage(first);
    expect(firstForm.status).toBe(200);
    const second = await mailLink('ines', 'ines@example.se');

    const refused = await openPage(first);
    expect(refused.status).toBe(404);
    expect(refused.html).toContain('Länken gäller inte längre');
    expect(refused.html).toContain('The link is no longer valid');
    expect(refused.csrf).toBeUndefined();
    // A form shown before the resend does not verify either.
    const posted = await pressButton(first, firstForm);
    expect(posted.status).toBe(404);
    expect(posted.html).toContain('Länken gäller inte längre');

    // Ten concurrent POSTs of the current link: one verifies, the rest say "already verified".
    const forms = await Promise.all(Array.from({ length: 10 }, () => openPage(second)));
    const answers = await Promise.all(forms.map((form) => pressButton(second, form)));
    expect(answers.map((r) => r.status)).toEqual(Array.from({ length: 10 }, () => 200));
    expect(answers.filter((r) => r.html.includes('Din e-postadress är verifierad'))).toHaveLength(
      1,
    );

    await waitFor('VismaConnectLinked for ines', () => linkedEvents('ines')[0]);
    await linkerCaughtUp();
    expect(linkedEvents('ines')).toHaveLength(1);
    expect(eventsFor(env.TOPIC_EMAIL_VERIFIED!, 'ines')).toHaveLength(1);
  });

  it('expired, voided and unknown links cannot verify; each gets its own page at the same pace', async () => {
    const voided = await mailLink('jonas', 'jonas.old@example.se');
    await mailLink('jonas', 'jonas.new@example.se');
    const current = await mailLink('karin', 'karin@example.se');
    const { token, link } = issueLink(
      { tenantId: TENANT, userId: 'karin', email: 'karin@example.se', requestId: 'r', sendId: 's' },
      new Date(),
      1,
    );
    await new VerificationLinkRepository(db).insertMany([link]);
    const expired = `${baseUrl}/verify/${token}`;
    const unknown = `${baseUrl}/verify/${'x'.repeat(43)}`;

    const pages = {
      expired: await openPage(expired),
      voided: await openPage(voided),
      unknown: await openPage(unknown),
      malformed: await openPage(`${baseUrl}/verify/%3Cscript%3E`),
    };
    expect(pages.expired.html).toContain('Länken har gått ut');
    expect(pages.voided.html).toContain('Länken gäller inte längre');
    expect(pages.unknown.html).toContain('Länken fungerar inte');
    expect(pages.malformed.html).toContain('Länken fungerar inte');
    for (const shown of Object.values(pages)) {
      expect(shown.status).toBe(404);
      expect(shown.html).toContain('administratör i Flex HRM att skicka ett nytt');
      expect(shown.html).not.toMatch(/jonas|karin|example\.se/);
      expect(shown.csrf).toBeUndefined();
    }

    // A form from a valid page, posted to the dead links: still nothing.
    const form = await openPage(current);
    for (const url of [expired, voided, unknown]) {
      const answer = await pressButton(url, form);
      expect([403, 404]).toContain(answer.status);
      expect(answer.html).not.toContain('är verifierad');
    }
    await linkerCaughtUp();
    expect(linkedEvents('jonas')).toHaveLength(0);
    expect(linkedEvents('karin')).toHaveLength(0);

    // Same pace: every answer waits for the floor, whichever way the token failed.
    const times: Record<string, number[]> = { valid: [], expired: [], voided: [], unknown: [] };
    for (let i = 0; i < 5; i++) {
      times.valid!.push((await openPage(current)).ms);
      times.expired!.push((await openPage(expired)).ms);
      times.voided!.push((await openPage(voided)).ms);
      times.unknown!.push((await openPage(unknown)).ms);
    }
    const medians = Object.fromEntries(
      Object.entries(times).map(([kind, ms]) => [kind, [...ms].sort((x, y) => x - y)[2]!]),
    );
    for (const median of Object.values(medians)) {
      expect(median).toBeGreaterThanOrEqual(MIN_RESPONSE_MS);
      expect(median).toBeLessThan(MIN_RESPONSE_MS + 100);
    }
  });

  it('R3: a stale EmailVerified links nobody and is recorded; a current one from Visma Connect links once', async () => {
    await mailLink('lena', 'lena.old@example.se');
    await mailLink('lena', 'lena.new@example.se');
    const verified = (email: string, id: string) =>
      createEvent(
        'EmailVerified',
        {
          tenantId: TENANT,
          userId: 'lena',
          email,
          verifiedAt: new Date().toISOString(),
          method: 'visma-connect',
        },
        { source: '/visma-connect/test', id },
      );

    await sendTo(
      env.TOPIC_EMAIL_VERIFIED!,
      `${TENANT}:lena`,
      verified('lena.old@example.se', 'v1'),
    );
    const log = new EmailVerifiedLogRepository(db);
    const stale = await waitFor('the stale verification recorded', async () =>
      (await log.findByUser(TENANT, 'lena')).find((r) => r.eventId === 'v1'),
    );
    expect(stale.outcome).toBe('stale');
    expect(linkedEvents('lena')).toHaveLength(0);
    expect((await stateOf('lena'))?.status).not.toBe('linked');

    const current = verified('LENA.new@example.se', 'v2');
    await sendTo(env.TOPIC_EMAIL_VERIFIED!, `${TENANT}:lena`, current);
    await waitFor('VismaConnectLinked for lena', () => linkedEvents('lena')[0]);
    // Replays, of the same event and of a new one for the same address, change nothing.
    await sendTo(env.TOPIC_EMAIL_VERIFIED!, `${TENANT}:lena`, current);
    await sendTo(
      env.TOPIC_EMAIL_VERIFIED!,
      `${TENANT}:lena`,
      verified('lena.new@example.se', 'v3'),
    );
    await linkerCaughtUp();
    expect(linkedEvents('lena')).toHaveLength(1);
    expect(linkedEvents('lena')[0]?.data.email).toBe('lena.new@example.se');
    const outcomes = (await log.findByUser(TENANT, 'lena')).map((r) => [r.eventId, r.outcome]);
    expect(outcomes).toEqual(
      expect.arrayContaining([
        ['v1', 'stale'],
        ['v2', 'linked'],
        ['v3', 'already_linked'],
      ]),
    );
  });

  it('limits requests per IP address with a page, not an error, across two instances on one database (issue 18)', async () => {
    // A database of their own: the counts live there, and this file's page has spent its own.
    const database = new URL(env.MONGODB_URI!);
    database.pathname += '_limits';
    const shared = { ...env, MONGODB_URI: database.toString() };
    const limit = 4;
    const start = () =>
      startVerificationPage({
        ...shared,
        PAGE_PORT: '0',
        HEALTH_PORT: '0',
        PAGE_RATE_LIMIT_PER_MINUTE: String(limit),
      });
    const instances = [await start(), await start()];
    try {
      const urls = instances.map((i) => `${i.url}/verify/${'y'.repeat(43)}`);
      const statuses = [];
      // Spread over both, GET and POST alike: one budget for the address, not one per instance.
      for (let i = 0; i < 2 * limit + 2; i++) {
        const url = urls[i % 2]!;
        statuses.push((i % 3 === 2 ? await pressButton(url, {}) : await openPage(url)).status);
      }
      expect(statuses.filter((s) => s !== 429)).toHaveLength(limit);
      expect(statuses.slice(limit).every((s) => s === 429)).toBe(true);
      const refused = await openPage(urls[0]!);
      expect(refused.html).toContain('För många försök');
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      // The stylesheet is not counted: a page that is shown can always be styled.
      expect((await fetch(`${instances[1]!.url}/assets/page.css`)).status).toBe(200);
      const db2 = await mongoose.createConnection(shared.MONGODB_URI).asPromise();
      try {
        const records = await db2.collection('rate_limits').find().toArray();
        expect(records.map((r) => String(r.key))).toEqual([
          'verification-page:default:verify:127.0.0.1',
        ]);
        const indexes = await db2.collection('rate_limits').indexes();
        expect(indexes).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ key: { key: 1 }, unique: true }),
            expect.objectContaining({ expireAfterSeconds: 0 }),
          ]),
        );
      } finally {
        await db2.dropDatabase();
        await db2.close();
      }
    } finally {
      await Promise.all(instances.map((i) => i.stop()));
    }
  });

  it('answers an oversized form with 413 and a short page, logged as a warning, not an error (issue 18)', async () => {
    const url = await mailLink('mira', 'mira@example.se');
    const shown = await openPage(url);
    const linesBefore = pageLog.length;
    const post = (type: string, body: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': type, cookie: shown.cookie! },
        body,
      });
    const big = await post(
      'application/x-www-form-urlencoded',
      new URLSearchParams({ _csrf: shown.csrf!, pad: 'x'.repeat(200_000) }).toString(),
    );
    expect(big.status).toBe(413);
    const html = await big.text();
    expect(html).toContain('För mycket data');
    expect(html).toContain('Too much data');
    expect(html).not.toMatch(/PayloadTooLarge|at \w+ \(/);
    // JSON is not read at all: without the form's field the CSRF check refuses it.
    const json = await post('application/json', JSON.stringify({ pad: 'x'.repeat(200_000) }));
    expect(json.status).toBe(403);
    // Malformed percent-encoding in a small form is read leniently, never a 500.
    expect((await post('application/x-www-form-urlencoded', '_csrf=%E0%A4%A')).status).toBe(403);

    const logged = pageLog.slice(linesBefore).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.filter((l) => l.level === 'error' || l.level === 50)).toEqual([]);
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'page request body refused', status: 413 }),
      ]),
    );
    expect(JSON.stringify(logged)).not.toContain('xxxxxxxx');
    // The link was not used up by any of it.
    expect((await pressButton(url, shown)).html).toContain('Din e-postadress är verifierad');
  });

  // Runs last: it reads what the tests above did to both processes.
  it("shows the presses and the links in each process's /metrics", async () => {
    const pageMetrics = await scrapeMetrics(page.healthPort);
    const workerMetrics = await scrapeMetrics(worker.healthPort);
    expect(pageMetrics('connect_link_confirmations_total{result="verified"}')).toBeGreaterThan(0);
    expect(
      pageMetrics('connect_link_confirmations_total{result="already_verified"}'),
    ).toBeGreaterThan(0);
    expect(pageMetrics('connect_link_confirmations_total{result="csrf_refused"}')).toBeGreaterThan(
      0,
    );
    expect(workerMetrics('connect_email_verifications_total{outcome="linked"}')).toBeGreaterThan(0);
    expect(workerMetrics('connect_email_verifications_total{outcome="stale"}')).toBe(1);
    expect(
      workerMetrics(`connect_events_produced_total{topic="${env.TOPIC_VISMA_CONNECT_LINKED}"}`),
    ).toBeGreaterThan(0);
  });
});
