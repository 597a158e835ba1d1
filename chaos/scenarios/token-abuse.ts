import mongoose from 'mongoose';
import { VerificationLinkRepository } from '@app/persistence';
import { issueLink } from '@app/verification';
import { freePort, tokenIn } from '../../test/support/page-client';
import { waitFor } from '../../test/support/wait-for';
import { check, sleep, type Scenario, type ScenarioResult } from '../scenario';
import { World } from '../world';

type Answer = { status: number; html: string; ms: number; cookie?: string; csrf?: string };

/**
 * Scenario 8: token abuse against the page process: reuse, expired, voided, someone else's
 * link, brute force against the rate limit, and the timing of unknown against known tokens.
 * Each phase comes from its own client address (X-Forwarded-For through one trusted proxy).
 */
export const tokenAbuse: Scenario = {
  name: 'token-abuse',
  quick: true,
  async run(size, worlds: World[]): Promise<ScenarioResult> {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
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
    await world.watch('VismaConnectLinked');
    let sent = 0;
    const mail = async (userId: string, email: string) => {
      const before = world.sink.mails.filter((m) => m.envelopeTo.includes(email)).length;
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
      return `${base}/verify/${tokenIn(got.parsed.text, base)}`;
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
    // Brute force from one address: the rate limit answers long before a guess could matter.
    const attempts = size === 'full' ? 300 : 60;
    const statuses: number[] = [];
    for (let i = 0; i < attempts; i++) {
      const guess = Buffer.from(`${i}-${Math.random()}`)
        .toString('base64url')
        .padEnd(43, 'A')
        .slice(0, 43);
      statuses.push(
        (await ask('10.0.0.5', `${base}/verify/${guess}`, i % 2 ? 'POST' : 'GET')).status,
      );
    }
    const limited = statuses.filter((s) => s === 429).length;
    const guessedRight = statuses.filter((s) => s === 200).length;
    violations.push(
      ...check(
        limited >= attempts - 31,
        `only ${limited} of ${attempts} guesses were rate-limited`,
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
    await sleep(1000);
    const links = {
      anna: linked('anna'),
      bo: linked('bo'),
      cia: linked('cia'),
      dan: linked('dan'),
      eva: linked('eva'),
      fia: linked('fia'),
    };
    violations.push(
      ...check(links.anna === 1 && links.bo === 1, `link events: ${JSON.stringify(links)}`),
      ...check(
        links.cia + links.dan + links.eva + links.fia === 0,
        `linked who should not be: ${JSON.stringify(links)}`,
      ),
    );
    return {
      injected: `reuse, someone else's link, voided, expired, ${attempts} guessed tokens from one address, 21 timed requests`,
      counted: `links ${JSON.stringify(links)}; ${limited}/${attempts} guesses rate-limited, ${guessedRight} answered 200; median ms ${JSON.stringify(medians)}`,
      violations,
      // Dead, foreign and guessed links are refused by the page; they never become events.
      deadLetters: [],
    };
  },
};

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
