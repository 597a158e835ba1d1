import { MailRenderer, NEXT_STEP } from '@app/mail';
import { PAGE_STYLESHEET } from './page-stylesheet';
import { SITE_STYLESHEET } from './site-stylesheet';
import { PageRenderer } from './page-renderer';

describe('PageRenderer', () => {
  const pages = new PageRenderer('../assets');

  it('renders every page in Swedish with English beside it, and no script', () => {
    for (const { name, html } of pages.samples()) {
      expect(html).toContain('<html lang="sv">');
      expect(html).toContain('lang="en"');
      expect(html).not.toMatch(/<script|style="/i);
      expect(html).toContain('href="../assets/page.css"');
      expect(name).toBeTruthy();
    }
  });

  it('puts the button, the masked address and the expiry on the confirm page', () => {
    const html = pages.render('confirm', {
      maskedEmail: 'a***@e***.se',
      expiresAt: new Date('2026-12-03T05:34:00Z'),
      csrfToken: 'tok',
    });
    expect(html).toContain('<button class="button" type="submit">Verifiera e-postadress</button>');
    expect(html).toContain('name="_csrf" value="tok"');
    expect(html).toContain('a***@e***.se');
    expect(html).toContain('torsdag 3 december 2026 kl. 06:34 (svensk tid)');
  });

  it('R4: says what to do next after verifying: the login page and "Glömt ditt lösenord?"', () => {
    for (const name of ['verified', 'already_verified'] as const) {
      const html = pages.render(name, { loginUrl: 'https://login.example/?a=1&b=2' });
      expect(html).toContain('Glömt ditt lösenord?');
      expect(html).toContain('href="https://login.example/?a&#x3D;1&amp;b&#x3D;2"');
    }
  });

  it('escapes values', () => {
    const html = pages.render('confirm', {
      maskedEmail: '<img src=x>',
      expiresAt: new Date(),
      csrfToken: '"><script>',
    });
    expect(html).not.toContain('<img src=x>');
    expect(html).not.toContain('"><script>');
  });
});

describe('one next step and one frame', () => {
  const pages = new PageRenderer('/assets');
  const mails = new MailRenderer();
  const strong = (text: string) => `<strong>${text}</strong>`;

  it('R4: the page after verifying and both mails give the next step in the same words', () => {
    const page = pages.render('verified', { loginUrl: 'https://login.example/' });
    const sv = mails.renderSample('verification', 'sv');
    const en = mails.renderSample('verification', 'en');
    for (const html of [page, sv.html]) {
      expect(html).toContain(NEXT_STEP.sv.heading);
      expect(html).toContain(NEXT_STEP.sv.choose(strong));
      expect(html).toContain(NEXT_STEP.en.button);
    }
    expect(en.html).toContain(NEXT_STEP.en.choose(strong));
    expect(sv.text).toContain(NEXT_STEP.sv.choose());
    expect(en.text).toContain(NEXT_STEP.en.choose());
  });

  it('draws every page in the shared frame, its stylesheet first in page.css', () => {
    for (const { html } of pages.samples()) {
      expect(html).toContain('<header class="top"><span class="brand">Flex HRM · Visma Connect');
      expect(html).toMatch(/<title>[^<]+ · Flex HRM<\/title>/);
    }
    expect(PAGE_STYLESHEET.startsWith(SITE_STYLESHEET)).toBe(true);
  });
});
