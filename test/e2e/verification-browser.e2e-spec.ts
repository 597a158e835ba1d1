import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  CLOUDEVENTS_CONTENT_TYPE,
  createEvent,
  serializeEvent,
  vismaConnectLinkedId,
} from '@app/contracts';
import {
  startVerificationPage,
  type RunningPage,
} from '../../apps/verification-page/src/bootstrap';
import {
  startVerificationWorker,
  type RunningWorker,
} from '../../apps/verification-worker/src/bootstrap';
import { KafkaTestClient } from '../support/kafka-test-client';
import { freePort } from '../support/page-client';
import { SmtpSink } from '../support/smtp-sink';
import { isolatedEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

/** Where the screenshots go: kept after the run as the test's artefacts. */
export const SCREENSHOT_DIR = resolve(__dirname, '../../test-artifacts/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// A person's path in a real browser: the mail's link, the page, the button, the next step.
describe('verification in headless Chromium (real Kafka, MongoDB and SMTP)', () => {
  const sink = new SmtpSink();
  let env: Record<string, string>;
  let kafka: KafkaTestClient;
  let worker: RunningWorker;
  let verificationPage: RunningPage;
  let browser: Browser;
  const problems: string[] = [];
  const stylesheets: number[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await sink.start();
    const baseUrl = `http://127.0.0.1:${await freePort()}`;
    env = {
      ...isolatedEnv('browser'),
      SMTP_URL: sink.url,
      PUBLIC_BASE_URL: baseUrl,
      PAGE_PORT: new URL(baseUrl).port,
      PAGE_MIN_RESPONSE_MS: '50',
    };
    kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
    worker = await startVerificationWorker(env);
    verificationPage = await startVerificationPage(env);
    await kafka.watch([env.TOPIC_VISMA_CONNECT_LINKED!]);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await verificationPage?.stop();
    await worker?.stop();
    await kafka?.close();
    await sink.stop();
  });

  async function newPage(viewport: { width: number; height: number }): Promise<Page> {
    const page = await browser.newPage({ viewport, javaScriptEnabled: false });
    // A CSP violation or a missing stylesheet shows up here; the pages must have none.
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('response', (r) => r.url().endsWith('/page.css') && stylesheets.push(r.status()));
    page.on('requestfailed', (r) => problems.push(`${r.url()} ${r.failure()?.errorText}`));
    return page;
  }
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });

  it('R2, R3, R4: opens the link from the mail, verifies with the button and shows the next step', async () => {
    const event = createEvent(
      'VerificationRequested',
      {
        requestId: 'browser-1',
        tenantId: 'tenant-b',
        requestedBy: { userId: 'admin' },
        users: [{ userId: 'maja', email: 'maja.akesson@example.se', displayName: 'Maja Åkesson' }],
      },
      { source: '/flex-hrm/test' },
    );
    await kafka.produce(env.TOPIC_VERIFICATION_REQUESTED!, [
      {
        key: 'tenant-b',
        value: serializeEvent(event),
        headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
      },
    ]);
    const mail = await waitFor('the verification mail', () => sink.mails[0]);
    const link = /href="([^"]+\/verify\/[^"]+)"/.exec(String(mail.parsed.html))?.[1];
    expect(link).toBeDefined();

    const page = await newPage({ width: 1024, height: 768 });
    await page.goto(link!);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Verifiera din e-postadress',
    );
    await expect(page.getByText('m***@e***.se').first().isVisible()).resolves.toBe(true);
    const button = page.getByRole('button', { name: 'Verifiera e-postadress' });
    // The stylesheet loaded under the strict CSP (a violation would be a console error).
    expect(stylesheets).toEqual([200]);
    await shot(page, '01-confirm');
    const mobile = await newPage({ width: 375, height: 740 });
    await mobile.goto(link!);
    await shot(mobile, '01-confirm-mobile');
    await mobile.close();

    await button.click();
    await page.waitForLoadState();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Klart! Din e-postadress är verifierad',
    );
    await expect(page.getByText('Glömt ditt lösenord?').first().isVisible()).resolves.toBe(true);
    await expect(
      page.getByRole('link', { name: 'Till inloggningssidan' }).getAttribute('href'),
    ).resolves.toBe(env.LOGIN_URL);
    await shot(page, '02-verified');

    const linked = await waitFor('VismaConnectLinked on its topic', () =>
      kafka.json<{ id: string }>(env.TOPIC_VISMA_CONNECT_LINKED!).at(0),
    );
    expect(linked.id).toBe(vismaConnectLinkedId('tenant-b', 'maja', 'maja.akesson@example.se'));

    await page.goto(link!);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Din e-postadress är redan verifierad',
    );
    await shot(page, '03-already-verified');
    expect(problems).toEqual([]);

    await page.goto(`${new URL(link!).origin}/verify/${'z'.repeat(43)}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Länken fungerar inte',
    );
    await shot(page, '04-link-unknown');
    await page.close();
  });
});
