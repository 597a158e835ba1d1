import type { DeadLetter } from '@app/messaging';
import { PageRenderer, SITE_LAYOUT, SITE_STYLESHEET } from '@app/pages';
import type { RequestSummary, UserTimeline } from '../operator-views';
import { ConsolePages } from './console-pages';
import { CONSOLE_SAMPLES } from './console-samples';
import { CONSOLE_STYLESHEET } from './console-stylesheet';

const HOSTILE = '<script>alert(1)</script>';
const ADDRESS = 'anna.andersson@example.se';

describe('ConsolePages', () => {
  const pages = new ConsolePages(() => new Date('2026-01-08T13:45:00Z'));
  const signedIn = { signedIn: true };

  it('draws every page in Swedish with English beside it, without scripts or inline styles', () => {
    for (const { html } of pages.samples()) {
      expect(html).toContain('<html lang="sv">');
      expect(html).toContain('lang="en"');
      expect(html).not.toMatch(/<script|style=|javascript:/i);
      expect(html).toContain('<link rel="stylesheet" href="/assets/console.css">');
      expect(html).toContain('Hämtad <span class="en" lang="en">Loaded</span> 14:45:00');
    }
  });

  it('overview: requests and imports split into in progress and finished, with their counts', () => {
    const html = pages.render('overview', CONSOLE_SAMPLES.overview, signedIn);
    const [inProgress, finished] = html.split('Avslutade utskick');
    expect(inProgress).toContain('href="/requests/acme/req-2026-0142"');
    expect(inProgress).toContain('<progress max="1500" value="1380"');
    expect(finished).toContain('href="/requests/acme/req-2026-0141"');
    expect(html).toContain('href="/imports/acme/imp-2026-0007"');
    expect(html).toContain('<td class="num">5 / 11</td>');
    expect(html).toContain('href="/dlq/hrm.verification-requested.v1"');
    expect(html).toContain('<form class="lookup" method="get" action="/users">');
  });

  it('overview: reloads itself while live, lists only non-empty dead-letter topics', () => {
    const live = pages.render('overview', CONSOLE_SAMPLES.overview, signedIn);
    expect(live).toContain('<meta http-equiv="refresh" content="10">');
    const paused = pages.render(
      'overview',
      {
        ...CONSOLE_SAMPLES.overview,
        live: false,
        deadLetters: {
          readable: true,
          topics: [{ topic: 'quiet.v1.dlq', sourceTopic: 'quiet.v1', messages: 0 }],
        },
      },
      signedIn,
    );
    expect(paused).not.toContain('http-equiv="refresh"');
    expect(paused).not.toContain('quiet.v1');
    expect(paused).toContain('Inga döda meddelanden.');
    const unreadable = pages.render(
      'overview',
      { ...CONSOLE_SAMPLES.overview, deadLetters: { readable: false } },
      signedIn,
    );
    expect(unreadable).toContain('Kafka svarade inte');
  });

  it('request: its counts and every skip reason; it stops reloading once completed', () => {
    const html = pages.render('request', CONSOLE_SAMPLES.request, signedIn);
    // Thousands are grouped with a no-break space, as Swedish readers group them.
    expect(html).toContain('<dd>1\u00a0180</dd>');
    expect(html).toMatch(/<code>no_email<\/code><\/td><td class="num">150<\/td>/);
    expect(html).toContain('http-equiv="refresh"');
    const completed: RequestSummary = {
      ...CONSOLE_SAMPLES.request.request,
      phase: 'completed',
      completedAt: new Date('2026-01-08T13:50:00Z'),
    };
    const done = pages.render('request', { request: completed }, signedIn);
    expect(done).not.toContain('http-equiv="refresh"');
    expect(done).toContain('<time datetime="2026-01-08T13:50:00.000Z">2026-01-08 14:50:00</time>');
  });

  it('import: counts, rejections by reason, the report and the mails it asked for', () => {
    const completed = {
      ...CONSOLE_SAMPLES.import.import,
      phase: 'completed' as const,
      rows: 11,
      applied: 11,
      counts: { updated: 3, unchanged: 2, rejected: 6 },
      result: {
        importId: 'imp-1',
        tenantId: 'acme',
        status: 'completed' as const,
        rows: 11,
        updated: 3,
        unchanged: 2,
        rejected: 6,
        reasons: { duplicate_user: 2, email_in_use: 4 },
        reportUri: 'file:///reports/imp-1.csv',
        verificationRequestId: 'req-9',
        completedAt: '2026-01-08T13:50:00Z',
      },
    };
    const html = pages.render('import', { import: completed }, signedIn);
    expect(html).toMatch(/<code>duplicate_user<\/code><\/td><td class="num">2<\/td>/);
    expect(html).toMatch(/<tr class="zero"><td>Ogiltig e-postadress/);
    expect(html).toContain('<code>file:///reports/imp-1.csv</code>');
    expect(html).toContain('href="/requests/acme/req-9"');
    const failed = pages.render('import', CONSOLE_SAMPLES.import, signedIn);
    expect(failed).toContain('<code>missing_column</code>');
    expect(failed).toContain('Orsakerna räknas när importen är klar.');
  });

  it('user: the summary and the timeline, each entry in both languages; unknown: the form', () => {
    const html = pages.render('user', CONSOLE_SAMPLES.user, signedIn);
    expect(html).toContain('Kopplad till Visma Connect');
    expect(html).toContain(
      'Verifieringsmejl till a***@e***.se, länken gäller till 2026-01-15 14:30:01',
    );
    expect(html).toContain('Link used: a***@e***.se verified on the page');
    expect(html).toContain('href="/requests/acme/req-2026-0141"');
    const lookup = pages.render('user_lookup', CONSOLE_SAMPLES.user_lookup, signedIn);
    expect(lookup).toContain('Inget finns registrerat om användaren <code>nobody</code>');
    expect(lookup).toContain(
      'name="tenantId" required maxlength="200" autocomplete="off" value="acme"',
    );
  });

  it('dead letters: newest first, counted by error code, with where each was first read', () => {
    const letter = (offset: string, code: string, at: string): DeadLetter => ({
      partition: 1,
      offset,
      errorCode: code,
      errorMessage: `broken ${offset}`,
      deadLetteredAt: at,
      eventId: `id-${offset}`,
      eventType: 'VerificationRequested',
      original: `t/1@${offset}`,
    });
    const html = pages.render(
      'dead_letters',
      {
        ...CONSOLE_SAMPLES.dead_letters,
        letters: [
          letter('1', 'invalid_json', '2026-01-08T10:00:00Z'),
          letter('2', 'schema_violation', '2026-01-08T12:00:00Z'),
          letter('3', 'invalid_json', '2026-01-08T11:00:00Z'),
        ],
        rowLimit: 2,
      },
      signedIn,
    );
    expect(html).toMatch(/<code>invalid_json<\/code><\/td><td class="num">2<\/td>/);
    expect(html.indexOf('p1@2')).toBeLessThan(html.indexOf('p1@3'));
    expect(html).not.toContain('p1@1');
    expect(html).toContain(
      'Visar de senaste <span class="en" lang="en">Showing the latest</span> <strong>2</strong>',
    );
    expect(html).toContain('<code>t/1@2</code>');
  });

  it('login: the token field, no menu and no sign-out for a reader who is not signed in', () => {
    const html = pages.render(
      'login',
      { refused: true, next: '/requests/r1' },
      { signedIn: false },
    );
    expect(html).toContain('<input id="token" name="token" type="password"');
    expect(html).toContain('Operatörsnyckel <span class="en" lang="en">Operator token</span>');
    expect(html).toContain('Fel nyckel.');
    expect(html).toContain('name="next" value="/requests/r1"');
    expect(html).not.toContain('action="/logout"');
    expect(html).not.toContain('href="/users"');
  });

  it('escapes every value: an id carrying markup comes out as text', () => {
    const request = { ...CONSOLE_SAMPLES.request.request, requestId: HOSTILE, tenantId: HOSTILE };
    const timeline: UserTimeline = { entries: [{ at: new Date(), kind: 'linked' }] };
    const drawn = [
      pages.render('overview', { ...CONSOLE_SAMPLES.overview, requests: [request] }, signedIn),
      pages.render('request', { request }, signedIn),
      pages.render('user', { tenantId: HOSTILE, userId: HOSTILE, timeline }, signedIn),
      pages.render('user_lookup', { tenantId: HOSTILE, userId: HOSTILE, notFound: true }, signedIn),
      pages.render('login', { refused: false, next: `/"${HOSTILE}` }, { signedIn: false }),
      pages.render(
        'dead_letters',
        {
          ...CONSOLE_SAMPLES.dead_letters,
          letters: [{ partition: 0, offset: '1', eventId: HOSTILE, errorMessage: HOSTILE }],
        },
        signedIn,
      ),
    ];
    for (const html of drawn) {
      expect(html).not.toContain('<script>');
      expect(html).toContain('&lt;script&gt;');
    }
    // In links the id is percent-encoded as well.
    expect(drawn[0]).toContain(
      'href="/requests/%3Cscript%3Ealert(1)%3C%2Fscript%3E/%3Cscript%3Ealert(1)%3C%2Fscript%3E"',
    );
  });

  it('shows no whole address, even one that slipped into a view or an error text', () => {
    const timeline: UserTimeline = {
      user: { tenantId: 'acme', userId: 'anna', status: 'verified', maskedEmail: ADDRESS },
      entries: [
        {
          at: new Date(),
          kind: 'mail',
          requestId: 'r1',
          maskedEmail: ADDRESS,
          outcome: 'failed',
          expiresAt: new Date(),
        },
        { at: new Date(), kind: 'link_used', maskedEmail: ADDRESS },
      ],
    };
    const failedImport = {
      ...CONSOLE_SAMPLES.import.import,
      result: {
        ...CONSOLE_SAMPLES.import.import.result!,
        error: { code: 'smtp', message: `550 <${ADDRESS}>: no such user` },
      },
    };
    const drawn = [
      pages.render('user', { tenantId: 'acme', userId: 'anna', timeline }, signedIn),
      pages.render('import', { import: failedImport }, signedIn),
      pages.render(
        'dead_letters',
        {
          ...CONSOLE_SAMPLES.dead_letters,
          letters: [
            { partition: 0, offset: '1', errorMessage: `users[0].email ${ADDRESS} is invalid` },
          ],
        },
        signedIn,
      ),
      ...pages.samples().map((s) => s.html),
    ];
    for (const html of drawn) {
      expect(html).not.toContain(ADDRESS);
      expect(html).not.toContain('andersson');
    }
    expect(drawn.slice(0, 3).every((html) => html.includes('a***@e***.se'))).toBe(true);
  });

  it('is drawn in the same frame and stylesheet as the verification pages', () => {
    // The head of the frame up to the stylesheet link, without the reload line.
    const head = (html: string) =>
      html.slice(0, html.indexOf('<title>')).replace(/<meta http-equiv[^>]*>\n/, '');
    const frameHead = SITE_LAYOUT.slice(0, SITE_LAYOUT.indexOf('{{#if')).replace(
      '{{frame.lang}}',
      'sv',
    );
    const page = new PageRenderer().samples()[0]!.html;
    for (const { html } of pages.samples()) {
      expect(head(html)).toBe(frameHead);
      expect(head(html)).toBe(head(page));
      expect(html).toContain('<header class="top">');
    }
    expect(CONSOLE_STYLESHEET.startsWith(SITE_STYLESHEET)).toBe(true);
  });
});
