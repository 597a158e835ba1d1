import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { createLogger } from '@app/observability';
import { VerificationLinkRepository } from '@app/persistence';
import { issueLink } from '@app/verification';
import { startOpsConsole } from '../../apps/ops-console/src/bootstrap';
import { freePort, tokenIn } from '../../test/support/page-client';
import { waitFor } from '../../test/support/wait-for';
import { check, sleep, type Scenario, type ScenarioResult } from '../scenario';
import { World } from '../world';

type Answer = { status: number; html: string; ms: number; cookie?: string; csrf?: string };

/**
 * Scenario 8: token abuse against two page processes on one database: reuse, expired, voided,
 * a resend's older link, someone else's link, oversized bodies, brute force against the rate
 * limit spread over both processes, and the timing of unknown against known tokens; then the
 * console's sign-in redirect and body limit (issue 18). Each phase comes from its own client
 * address (X-Forwarded-For through one trusted proxy).
 */
export const tokenAbuse: Scenario = {
  name: 'token-abuse',
  quick: true,
  async run(size, worlds: World[]): Promise<ScenarioResult> {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const secondPort = await freePort();
    // The same page behind the same address, as a second instance would be behind a balancer.
    const second = `http://127.0.0.1:${secondPort}`;
    const world = await World.create('tokens', {
      PUBLIC_BASE_URL: base,
      PAGE_PORT: String(port),
      PAGE_TRUSTED_PROXIES: '1',
      PAGE_RATE_LIMIT_PER_MINUTE: '30',
      PAGE_MIN_RESPONSE_MS: '300',
    });
    worlds.push(world);
    await world.start('verification-worker');
    await world.start('verification-page');
    await world.start('verification-page', { PAGE_PORT: String(secondPort) });
    await world.watch('VismaConnectLinked');
    let sent = 0;
    const mail = async (userId: string, email: string) => {
      const db = await mongoose.createConnection(world.env.MONGODB_URI!).asPromise();
      try {
        const before = world.sink.mails.filter((m) => m.envelopeTo.includes(email)).length;
        const sentBefore = await lastSentAt(db, userId);
        sent += 1;
        await world.kafka.produce(world.topic('VerificationRequested'), [
          {
            key: 'chaos',
            value: JSON.stringify(request(userId, email, sent)),
            headers: { 'content-type': 'application/cloudevents+json' },
          },
        ]);
        const got = await waitFor(
          `a mail to ${email}`,
          () => world.sink.mails.filter((m) => m.envelopeTo.includes(email))[before],
        );
        // The send is recorded once SMTP has answered, a moment after the sink holds the mail;
        // that record is what voids the user's earlier links (verification-link.ts).
        await waitFor(`the mail to ${email} recorded as sent`, async () => {
          const at = await lastSentAt(db, userId);
          return at !== undefined && at !== sentBefore ? true : undefined;
        });
        return `${base}/verify/${tokenIn(got.parsed.text, base)}`;
      } finally {
        await db.close();
      }
    };
    const ask = async (
      from: string,
      url: string,
      method = 'GET',
      form?: { cookie?: string; csrf?: string },
    ): Promise<Answer> => {
      const started = Date.now();
      const response = await fetch(url, {
        method,
        headers: {
          'x-forwarded-for': from,
          ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...(form?.cookie ? { cookie: form.cookie } : {}),
        },
        ...(method === 'POST'
          ? { body: new URLSearchParams(form?.csrf ? { _csrf: form.csrf } : {}).toString() }
          : {}),
      });
      const html = await response.text();
      const cookie = response.headers.getSetCookie()[0]?.split(';')[0];
      const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
      return {
        status: response.status,
        html,
        ms: Date.now() - started,
        ...(cookie ? { cookie } : {}),
        ...(csrf ? { csrf } : {}),
      };
    };
    const press = async (from: string, url: string) => ask(from, url, 'POST', await ask(from, url));
    const tryDead = async (from: string, url: string, foreignForm: Answer) => {
      const shown = await ask(from, url);
      const posted = await ask(from, url, 'POST', shown.csrf ? shown : foreignForm);
      return { shown: shown.html, posted: posted.status };
    };
    const linked = (userId: string) =>
      world.kafka
        .json<{ data: { userId: string } }>(world.topic('VismaConnectLinked'))
        .filter((e) => e.data.userId === userId).length;

    const violations: string[] = [];
    // Reuse: the second POST is "already verified", one link event.
    const anna = await mail('anna', 'anna@example.se');
    const form = await ask('10.0.0.1', anna);
    const first = await ask('10.0.0.1', anna, 'POST', form);
    const again = await ask('10.0.0.1', anna, 'POST', form);
    await waitFor('anna linked', () => linked('anna') > 0 || undefined);
    violations.push(
      ...check(
        first.html.includes('är verifierad') && again.html.includes('redan verifierad'),
        'reuse did not say "already verified"',
      ),
    );
    // Someone else's link opens only its own user: bo's link never links anna's colleague cia.
    const bo = await mail('bo', 'bo@example.se');
    await mail('cia', 'cia@example.se');
    await press('10.0.0.2', bo);
    await waitFor('bo linked', () => linked('bo') > 0 || undefined);
    // Voided: a newer address makes the older link dead.
    const old = await mail('dan', 'dan.old@example.se');
    await mail('dan', 'dan.new@example.se');
    const foreign = await ask('10.0.0.3', await mail('fia', 'fia@example.se'));
    const voided = await tryDead('10.0.0.3', old, foreign);
    // Expired: a link whose time is up.
    const db = await mongoose.createConnection(world.env.MONGODB_URI!).asPromise();
    const { token, link } = issueLink(
      { tenantId: 'chaos', userId: 'cia', email: 'cia@example.se', requestId: 'r', sendId: 's' },
      new Date(),
      1,
    );
    await new VerificationLinkRepository(db).insertMany([link]);
    await db.close();
    const expired = await tryDead('10.0.0.4', `${base}/verify/${token}`, foreign);
    violations.push(
      ...check(voided.shown.includes('gäller inte längre'), 'the voided link did not say so'),
      ...check(expired.shown.includes('gått ut'), 'the expired link did not say so'),
      // Without the page's form there is nothing to post; with another link's form the CSRF
      // check refuses it. Either way: no verification.
      ...check(
        [403, 404].includes(voided.posted) && [403, 404].includes(expired.posted),
        `dead links answered POST with ${voided.posted}, ${expired.posted}`,
      ),
    );
    // A resend: the older link of the same user is refused, the newer one works.
    const older = await mail('gus', 'gus@example.se');
    const olderForm = await ask('10.0.0.6', older);
    const newer = await mail('gus', 'gus@example.se');
    const resent = await tryDead('10.0.0.6', older, olderForm);
    const newest = await press('10.0.0.6', newer);
    await waitFor('gus linked', () => linked('gus') > 0 || undefined);
    violations.push(
      ...check(
        resent.shown.includes('gäller inte längre') && resent.posted === 404,
        `the older link of a resend answered ${resent.posted} and not "no longer valid"`,
      ),
      ...check(newest.html.includes('är verifierad'), 'the newer link of a resend did not verify'),
    );
    // Oversized bodies to either instance: 413 and a page, never a 500 or an error log.
    const oversized = await Promise.all(
      [base, second].map((origin) => postLarge(`${origin}/verify/${'z'.repeat(43)}`, '10.0.0.7')),
    );
    violations.push(
      ...check(
        oversized.every((a) => a.status === 413 && a.html.includes('För mycket data')),
        `oversized bodies answered ${oversized.map((a) => a.status).join(', ')}`,
      ),
    );
    // Brute force from one address, spread over both instances: one budget for the address.
    const limit = 30;
    const attempts = size === 'full' ? 300 : 60;
    const statuses: number[] = [];
    for (let i = 0; i < attempts; i++) {
      const guess = Buffer.from(`${i}-${Math.random()}`)
        .toString('base64url')
        .padEnd(43, 'A')
        .slice(0, 43);
      const origin = i % 2 ? base : second;
      statuses.push(
        (await ask('10.0.0.5', `${origin}/verify/${guess}`, i % 3 ? 'GET' : 'POST')).status,
      );
    }
    const limited = statuses.filter((s) => s === 429).length;
    const guessedRight = statuses.filter((s) => s === 200).length;
    violations.push(
      ...check(
        attempts - limited <= limit,
        `${attempts - limited} of ${attempts} guesses over two instances were answered (limit ${limit})`,
      ),
      ...check(guessedRight === 0, `${guessedRight} guesses were answered 200`),
    );
    // Timing: unknown tokens and a valid one answer at the same pace.
    const valid = await mail('eva', 'eva@example.se');
    const unknown = `${base}/verify/${'q'.repeat(43)}`;
    const times = { valid: [] as number[], unknown: [] as number[], voided: [] as number[] };
    for (let i = 0; i < 7; i++) {
      times.valid.push((await ask(`10.0.1.${i}`, valid)).ms);
      times.unknown.push((await ask(`10.0.2.${i}`, unknown)).ms);
      times.voided.push((await ask(`10.0.3.${i}`, old)).ms);
    }
    const median = (ms: number[]) => [...ms].sort((a, b) => a - b)[3] ?? 0;
    const medians = {
      valid: median(times.valid),
      unknown: median(times.unknown),
      voided: median(times.voided),
    };
    const spread = Math.max(...Object.values(medians)) - Math.min(...Object.values(medians));
    violations.push(
      ...check(
        spread < 50,
        `median answer times differ by ${spread} ms: ${JSON.stringify(medians)}`,
      ),
    );
    const consoleFindings = await abuseConsole(world, violations);
    const pageErrors = world.processes
      .flatMap((p) => p.process.logs)
      .filter((l) => l.level === 'error' && l.service === 'verification-page');
    violations.push(
      ...check(pageErrors.length === 0, `the pages logged ${pageErrors.length} errors`),
    );
    await sleep(1000);
    const links = {
      anna: linked('anna'),
      bo: linked('bo'),
      cia: linked('cia'),
      dan: linked('dan'),
      eva: linked('eva'),
      fia: linked('fia'),
      gus: linked('gus'),
    };
    violations.push(
      ...check(
        links.anna === 1 && links.bo === 1 && links.gus === 1,
        `link events: ${JSON.stringify(links)}`,
      ),
      ...check(
        links.cia + links.dan + links.eva + links.fia === 0,
        `linked who should not be: ${JSON.stringify(links)}`,
      ),
    );
    return {
      injected: `reuse, someone else's link, voided, expired, a resend's older link, 2 oversized bodies, ${attempts} guessed tokens from one address over 2 instances, 21 timed requests; console: ${consoleFindings.injected}`,
      counted: `links ${JSON.stringify(links)}; ${limited}/${attempts} guesses rate-limited, ${guessedRight} answered 200; oversized ${oversized.map((a) => a.status).join('/')}; median ms ${JSON.stringify(medians)}; console: ${consoleFindings.counted}`,
      violations,
      // Dead, foreign and guessed links are refused by the page; they never become events.
      deadLetters: [],
    };
  },
};

const EVIL_NEXTS = [
  '/%2e//evil.example/',
  '/%2E//evil.example/',
  '/.//evil.example',
  '/a/..//evil.example',
  '/a/%2e%2e//evil.example',
  '/\\evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '//evil.example',
  'https://evil.example/',
];

/** A 200 KB form, far over what any of our forms needs. */
async function postLarge(url: string, from: string): Promise<{ status: number; html: string }> {
  const response = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': from },
    body: new URLSearchParams({ _csrf: 'x', token: 'x', pad: 'x'.repeat(200_000) }).toString(),
  });
  return { status: response.status, html: await response.text() };
}

/**
 * The console's sign-in, in this process: every open-redirect attempt of a signed-in operator,
 * through the query and the form, must land on the console; an oversized form answers 413.
 * Its log lines join the world's, for the privacy scenario.
 */
async function abuseConsole(
  world: World,
  violations: string[],
): Promise<{ injected: string; counted: string }> {
  const token = randomBytes(32).toString('hex');
  const logger = createLogger({
    service: 'ops-console',
    version: 'chaos',
    level: 'info',
    destination: {
      write: (line: string) =>
        void world.logLines.push(JSON.parse(line) as Record<string, unknown>),
    },
  });
  const ops = await startOpsConsole(
    {
      ...world.env,
      OPS_CONSOLE_TOKEN: token,
      OPS_CONSOLE_PORT: '0',
      HEALTH_PORT: '0',
      // Every redirect attempt through the form is a sign-in that counts; this is not guessing.
      OPS_CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE: '100',
    },
    logger,
  );
  try {
    const origin = new URL(ops.url).origin;
    const locations: string[] = [];
    for (const next of EVIL_NEXTS) {
      const viaQuery = await fetch(`${ops.url}/login?next=${encodeURIComponent(next)}`, {
        redirect: 'manual',
        headers: { authorization: `Bearer ${token}` },
      });
      const viaForm = await fetch(`${ops.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, next }).toString(),
      });
      for (const answer of [viaQuery, viaForm]) {
        const location = answer.headers.get('location') ?? '';
        locations.push(location);
        const lands = answer.status === 303 && new URL(location, ops.url).origin === origin;
        violations.push(
          ...check(
            lands && !location.startsWith('//'),
            `console next=${JSON.stringify(next)} answered ${answer.status} to ${location}`,
          ),
        );
      }
    }
    const large = await postLarge(`${ops.url}/login`, '127.0.0.1');
    const errors = world.logLines.filter((l) => l.service === 'ops-console' && l.level === 'error');
    violations.push(
      ...check(large.status === 413, `the console answered an oversized form with ${large.status}`),
      ...check(errors.length === 0, `the console logged ${errors.length} errors`),
    );
    const offsite = locations.filter((l) => new URL(l, ops.url).origin !== origin).length;
    return {
      injected: `${EVIL_NEXTS.length * 2} open-redirect attempts, 1 oversized form`,
      counted: `${offsite} redirects off the console, oversized ${large.status}`,
    };
  } finally {
    await ops.stop();
  }
}

/** When the user's last mail was recorded as sent, in ms; undefined before any. */
async function lastSentAt(db: mongoose.Connection, userId: string): Promise<number | undefined> {
  const state = await db
    .collection<{ lastSentAt?: Date }>('user_states')
    .findOne({ tenantId: 'chaos', userId });
  return state?.lastSentAt?.getTime();
}

// Ids without the address: logs carry ids whole, and the privacy scenario reads those logs.
function request(userId: string, email: string, n: number) {
  return {
    specversion: '1.0',
    id: `tokens-${userId}-${n}`,
    source: '/chaos',
    type: 'VerificationRequested',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: {
      requestId: `tokens-${userId}-${n}`,
      tenantId: 'chaos',
      requestedBy: { userId: 'chaos' },
      users: [{ userId, email }],
      resend: true,
    },
  };
}
