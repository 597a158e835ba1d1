import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import mongoose from 'mongoose';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, serializeEvent } from '@app/contracts';
import { createLogger } from '@app/observability';
import {
  startImportWorker,
  type RunningImportWorker,
} from '../../apps/import-worker/src/bootstrap';
import { startOpsConsole, type RunningConsole } from '../../apps/ops-console/src/bootstrap';
import {
  startVerificationWorker,
  type RunningWorker,
} from '../../apps/verification-worker/src/bootstrap';
import { fileRef, UploadFolder } from '../support/import-files';
import { KafkaTestClient } from '../support/kafka-test-client';
import { scrapeMetrics } from '../support/metrics-scrape';
import { SmtpSink } from '../support/smtp-sink';
import { isolatedEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

const SCREENSHOT_DIR = resolve(__dirname, '../../test-artifacts/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TENANT = 'tenant-console';
const REQUEST_ID = 'req-console-1';
const IMPORT_ID = 'imp-console-1';
const ATTEMPTS_PER_MINUTE = 10;

// The read-only console over a pipeline that has done real work: a request with a skip, an
// import with a rejection, a dead letter. Reached with curl's eyes first, then a browser's.
describe('operations console (real Kafka, MongoDB and SMTP)', () => {
  const sink = new SmtpSink();
  const token = randomBytes(32).toString('hex');
  const consoleLog: string[] = [];
  let env: Record<string, string>;
  let kafka: KafkaTestClient;
  let verifier: RunningWorker;
  let importer: RunningImportWorker;
  let opsConsole: RunningConsole;
  let browser: Browser;
  const problems: string[] = [];
  const stylesheets: number[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await sink.start();
    env = {
      ...isolatedEnv('console'),
      SMTP_URL: sink.url,
      OPS_CONSOLE_TOKEN: token,
      OPS_CONSOLE_PORT: '0',
      OPS_CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE: String(ATTEMPTS_PER_MINUTE),
    };
    env.IMPORT_REPORT_DIR = join(env.MAIL_OUTBOX_DIR!, '..', 'reports');
    kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
    // Side by side to save seconds; each assigned as it starts, so afterAll stops what did.
    const consoleLogger = createLogger({
      service: 'ops-console',
      version: 'test',
      level: 'info',
      destination: { write: (line: string) => void consoleLog.push(line) },
    });
    // allSettled: when one fails, the others still finish starting before afterAll stops them
    // (with Promise.all they started after the teardown and kept jest from exiting).
    const starts = await Promise.allSettled([
      startVerificationWorker(env).then((started) => (verifier = started)),
      startImportWorker(env).then((started) => (importer = started)),
      startOpsConsole(env, consoleLogger).then((started) => (opsConsole = started)),
    ]);
    const failed = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await kafka.watch([env.TOPIC_VERIFICATION_BATCH_COMPLETED!, env.TOPIC_USER_IMPORT_COMPLETED!]);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    await runThePipeline();
  });
  afterAll(async () => {
    await browser?.close();
    await opsConsole?.stop();
    await Promise.all([verifier?.stop(), importer?.stop()]);
    await kafka?.close();
    await sink.stop();
    // Dropped only after every app closed its connection: none writes into a dropped database.
    if (env) {
      const db = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
      await db.dropDatabase();
      await db.close();
    }
  });

  /** A request with a user to skip, a small import with a rejection, and one poison message. */
  async function runThePipeline(): Promise<void> {
    const request = createEvent(
      'VerificationRequested',
      {
        requestId: REQUEST_ID,
        tenantId: TENANT,
        requestedBy: { userId: 'admin' },
        users: [
          { userId: 'anna', email: 'anna.andersson@example.se' },
          { userId: 'bo', email: 'bo.berg@example.se' },
          { userId: 'cia' },
        ],
      },
      { source: '/flex-hrm/test' },
    );
    const uploads = new UploadFolder(join(env.MAIL_OUTBOX_DIR!, '..', 'uploads'));
    const csv = uploads.csv(
      'anstallda.csv',
      [
        ['Användar-ID', 'Namn', 'E-post Visma Connect', 'Avdelning'],
        ['ida', 'Ida Ny', 'ida.isaksson@example.se', 'IT'], // updated
        ['ivar', 'Ivar Fel', 'inte en adress', 'IT'], // rejected: invalid_email
        ['iris', 'Iris Tom', '', 'IT'], // unchanged: empty cell
      ],
      { delimiter: ';', encoding: 'utf-8', bom: true },
    );
    const upload = createEvent(
      'UserImportUploaded',
      {
        importId: IMPORT_ID,
        tenantId: TENANT,
        uploadedBy: { userId: 'admin' },
        template: 'employees-users',
        file: fileRef(csv),
        verifyAfterImport: false,
      },
      { source: '/flex-hrm/test' },
    );
    const asMessage = (event: Parameters<typeof serializeEvent>[0]) => ({
      key: TENANT,
      value: serializeEvent(event),
      headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
    });
    // One after the other: the test client creates its producer on the first send.
    await kafka.produce(env.TOPIC_VERIFICATION_REQUESTED!, [
      asMessage(request),
      { key: TENANT, value: 'this is not JSON' },
    ]);
    await kafka.produce(env.TOPIC_USER_IMPORT_UPLOADED!, [asMessage(upload)]);
    await waitFor('VerificationBatchCompleted', () =>
      kafka.json(env.TOPIC_VERIFICATION_BATCH_COMPLETED!).at(0),
    );
    await waitFor('UserImportCompleted', () => kafka.json(env.TOPIC_USER_IMPORT_COMPLETED!).at(0));
    await waitFor('the dead letter counted on the overview', async () =>
      (await get('/', { authorization: `Bearer ${token}` })).html.includes('/dlq/'),
    );
  }

  async function get(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${opsConsole.url}${path}`, { headers, redirect: 'manual' });
    return { status: response.status, headers: response.headers, html: await response.text() };
  }

  async function newPage(): Promise<Page> {
    const page = await browser.newPage({
      viewport: { width: 1280, height: 800 },
      javaScriptEnabled: false,
    });
    // A CSP violation or a stylesheet that did not load shows up here; there must be none.
    // The sign-in page itself answers 401, which Chromium reports too; that one is expected.
    page.on(
      'console',
      (m) => m.type() === 'error' && !/status of 401/.test(m.text()) && problems.push(m.text()),
    );
    page.on('requestfailed', (r) => problems.push(`${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => r.status() >= 500 && problems.push(`${r.url()} ${r.status()}`));
    page.on('response', (r) => r.url().endsWith('/console.css') && stylesheets.push(r.status()));
    return page;
  }
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SCREENSHOT_DIR, `ops-console-${name}.png`), fullPage: true });
  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).innerText();

  it('without the token: 401 and the sign-in page, no data; with it: the counts', async () => {
    const refusals: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-of-the-right-shape-0000' },
    ];
    for (const headers of refusals) {
      for (const path of ['/', `/requests/${TENANT}/${REQUEST_ID}`, `/users/${TENANT}/anna`]) {
        const page = await get(path, headers);
        expect(page.status).toBe(401);
        expect(page.headers.get('www-authenticate')).toBe('Bearer realm="ops-console"');
        expect(page.html).toContain('Operatörsnyckel');
        // The page asked for comes back only as where to go after signing in; nothing read.
        const shown = page.html.replace(/name="next" value="[^"]*"/, '');
        expect(shown).not.toContain(TENANT);
        expect(shown).not.toMatch(/Skickade|a\*\*\*@/);
      }
    }
    const answer = await get(`/requests/${TENANT}/${REQUEST_ID}`, {
      authorization: `Bearer ${token}`,
    });
    expect(answer.status).toBe(200);
    expect(answer.html).toContain(`<strong>${TENANT}</strong>`);
    expect(answer.html).toMatch(/Skickade<span class="en" lang="en">Sent<\/span><\/dt><dd>2<\/dd>/);
    expect(answer.html).toMatch(/<code>no_email<\/code><\/td><td class="num">1<\/td>/);
    // Strict headers on every page: no script, no framing, nothing kept, no Referer.
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(answer.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    expect(
      (await get(`/requests/${TENANT}/no-such-request`, { authorization: `Bearer ${token}` }))
        .status,
    ).toBe(404);
    expect((await get('/dlq/some.other.topic', { authorization: `Bearer ${token}` })).status).toBe(
      404,
    );

    // /health and /metrics on the health port, as every app has them.
    const ready = await fetch(`http://127.0.0.1:${opsConsole.healthPort}/health/ready`);
    await expect(ready.json()).resolves.toEqual({
      status: 'ok',
      checks: { kafka: 'up', mongodb: 'up' },
    });
    const metrics = await scrapeMetrics(opsConsole.healthPort);
    expect(metrics('process_resident_memory_bytes')).toBeGreaterThan(0);

    const log = consoleLog.join('\n');
    expect(log).toContain('console request refused: wrong token');
    expect(log).not.toContain('wrong-token-of-the-right-shape');
    expect(log).not.toContain(token);
  });

  it('in Chromium: signs in through the form and shows the overview, a request, an import, a user and the DLQ', async () => {
    const page = await newPage();
    const refused = await page.goto(`${opsConsole.url}/`);
    expect(refused?.status()).toBe(401);
    await shot(page, 'login');
    await page.getByLabel('Operatörsnyckel').fill(token);
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.waitForURL(`${opsConsole.url}/`);

    // The session cookie: HttpOnly, SameSite=Strict, and not the token.
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'ops-console', httpOnly: true, sameSite: 'Strict' });
    expect(cookie?.value).not.toContain(token);

    expect(await heading(page)).toContain('Översikt');
    const requestRow = page.getByRole('row').filter({ hasText: REQUEST_ID });
    await expect(requestRow.innerText()).resolves.toMatch(/Klar[\s\S]*3\s+2\s+0\s+1/);
    const importRow = page.getByRole('row').filter({ hasText: IMPORT_ID });
    await expect(importRow.innerText()).resolves.toMatch(/3 \/ 3\s+1\s+1\s+1/);
    const dlqRow = page.getByRole('row').filter({ hasText: '.dlq' });
    await expect(dlqRow.innerText()).resolves.toMatch(/verification-requested\.v1\.dlq\s+1/);
    await shot(page, 'overview');

    await requestRow.getByRole('link').click();
    expect(await heading(page)).toContain(REQUEST_ID);
    const skipped = page.getByRole('row').filter({ hasText: 'no_email' });
    await expect(skipped.innerText()).resolves.toMatch(
      /Saknar e-postadress[\s\S]*no_email\s+1\s*$/,
    );
    await shot(page, 'request');

    await page.goto(`${opsConsole.url}/imports/${TENANT}/${IMPORT_ID}`);
    expect(await heading(page)).toContain(IMPORT_ID);
    const rejected = page.getByRole('row').filter({ hasText: 'invalid_email' });
    await expect(rejected.innerText()).resolves.toMatch(
      /Ogiltig e-postadress[\s\S]*invalid_email\s+1\s*$/,
    );
    await expect(page.locator('.uri').innerText()).resolves.toMatch(/^file:\/\//);
    await shot(page, 'import');

    await page.getByRole('link', { name: /Sök användare/ }).click();
    await page.getByLabel('Kund').fill(TENANT);
    await page.getByLabel('Användar-ID').fill('anna');
    await page.getByRole('button', { name: 'Visa' }).click();
    expect(await heading(page)).toContain('anna');
    const main = await page.locator('main').innerText();
    expect(main).toContain('Verifieringsmejl skickat');
    expect(main).toContain('Verifieringsmejl till a***@e***.se');
    expect(main).not.toContain('anna.andersson@example.se');
    await expect(
      page.getByRole('row').filter({ hasText: 'Verifieringsmejl till' }).innerText(),
    ).resolves.toContain('skickat');
    await shot(page, 'user');

    await page.goto(`${opsConsole.url}/`);
    await page.getByRole('link', { name: /verification-requested\.v1\.dlq/ }).click();
    expect(await heading(page)).toContain('verification-requested.v1');
    const letters = page.locator('table.letters tbody tr');
    await expect(letters.count()).resolves.toBe(1);
    await expect(letters.innerText()).resolves.toMatch(/not_json\s+value is not valid JSON/);
    await shot(page, 'dlq');

    await page.getByRole('button', { name: /Logga ut/ }).click();
    expect(await heading(page)).toContain('Logga in');
    expect((await page.goto(`${opsConsole.url}/`))?.status()).toBe(401);
    expect(problems).toEqual([]);
    // The stylesheet loaded under the strict CSP, also on the sign-in page (it is public).
    expect(stylesheets.length).toBeGreaterThan(0);
    expect(stylesheets.every((status) => status === 200)).toBe(true);
    await page.close();
  });

  it('slows guessing: the form answers 429 after the limit, while the token still works', async () => {
    const guess = () =>
      fetch(`${opsConsole.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: 'a-guess', next: '/' }).toString(),
      });
    const first = await guess();
    expect(first.status).toBe(401);
    await expect(first.text()).resolves.toContain('Fel nyckel.');
    const statuses: number[] = [];
    for (let i = 0; i < ATTEMPTS_PER_MINUTE; i++) statuses.push((await guess()).status);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s !== 429).every((s) => s === 401)).toBe(true);
    const throttled = await guess();
    expect(throttled.headers.get('retry-after')).toMatch(/^\d+$/);
    await expect(throttled.text()).resolves.toContain('För många försök');
    expect((await get('/', { authorization: `Bearer ${token}` })).status).toBe(200);

    expect(consoleLog.join('\n')).toContain('console sign-in refused: wrong token');
    expect(consoleLog.join('\n')).not.toContain('a-guess');
  });

  it.each([
    '/%2e//evil.example/',
    '/%2E//evil.example/',
    '/.//evil.example',
    '/a/..//evil.example',
    '/\\evil.example',
    '/\t/evil.example',
    '//evil.example',
    'https://evil.example/',
  ])(
    'sends a signed-in operator opening /login?next=%j only to the console (issue 18)',
    async (next) => {
      const answer = await get(`/login?next=${encodeURIComponent(next)}`, {
        authorization: `Bearer ${token}`,
      });
      expect(answer.status).toBe(303);
      expect(answer.headers.get('location')).toBe('/');
    },
  );

  it('keeps a console path with its query as where to go after signing in', async () => {
    const next = `/users?tenantId=${TENANT}&userId=anna`;
    const answer = await get(`/login?next=${encodeURIComponent(next)}`, {
      authorization: `Bearer ${token}`,
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(next);
  });

  it('answers an oversized sign-in form with 413 and a short page, a warning and no error (issue 18)', async () => {
    const linesBefore = consoleLog.length;
    const answer = await fetch(`${opsConsole.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'x'.repeat(200_000), next: '/' }).toString(),
    });
    expect(answer.status).toBe(413);
    const html = await answer.text();
    expect(html).toContain('För mycket data');
    expect(html).toContain('Too much data');
    const logged = consoleLog.slice(linesBefore).map((l) => JSON.parse(l) as { level: unknown });
    expect(logged.filter((l) => l.level === 'error')).toEqual([]);
    expect(consoleLog.slice(linesBefore).join('\n')).toContain('console request body refused');
    expect(consoleLog.slice(linesBefore).join('\n')).not.toContain('xxxxxxxx');
  });

  it('counts sign-in attempts for every instance together: two consoles on one database (issue 18)', async () => {
    const database = new URL(env.MONGODB_URI!);
    database.pathname += '_limits';
    const limit = 3;
    const start = () =>
      startOpsConsole({
        ...env,
        MONGODB_URI: database.toString(),
        HEALTH_PORT: '0',
        OPS_CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE: String(limit),
      });
    const consoles = [await start(), await start()];
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 2 * limit + 2; i++) {
        const response = await fetch(`${consoles[i % 2]!.url}/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token: 'a-guess', next: '/' }).toString(),
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([
        ...Array.from({ length: limit }, () => 401),
        ...Array.from({ length: limit + 2 }, () => 429),
      ]);
    } finally {
      await Promise.all(consoles.map((c) => c.stop()));
      const db = await mongoose.createConnection(database.toString()).asPromise();
      await db.dropDatabase();
      await db.close();
    }
  });
});
