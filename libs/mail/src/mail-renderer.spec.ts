import {
  MAIL_TEMPLATES,
  MailRenderer,
  MailTemplateError,
  type MailTemplateRegistry,
  type VerificationMailData,
} from '.';

const data: VerificationMailData = {
  displayName: 'Anna Svensson',
  email: 'anna@example.se',
  verifyUrl: 'https://provisioning.example.se/verify/abc123?x=1&y=2',
  // 15:30 UTC is 16:30 in Stockholm (CET) on this date.
  expiresAt: new Date('2025-03-14T15:30:00Z'),
  loginUrl: 'https://flexhrm.example/login',
  companyName: 'Andersson & Söner AB',
};

const renderer = new MailRenderer();
const sv = renderer.render('verification', 'sv', data);
const en = renderer.render('verification', 'en', data);

/** What a browser shows: Handlebars writes & as &amp; and = as &#x3D;, both fine in HTML. */
const decoded = (html: string) =>
  html
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
const visibleText = (html: string) => decoded(html.replace(/<[^>]+>/g, ' '));

describe('MailRenderer: verification mail', () => {
  it('has a Swedish subject and lang, and an English translation', () => {
    expect(sv.subject).toBe('Verifiera din e-postadress för Visma Connect');
    expect(en.subject).toBe('Verify your e-mail address for Visma Connect');
    expect(sv.html).toContain('<html lang="sv">');
    expect(en.html).toContain('<html lang="en">');
    expect(sv.html).toContain(`<title>${sv.subject}</title>`);
  });

  it.each([
    ['sv', sv],
    ['en', en],
  ])('%s: carries the link as a button and as a plain URL (R2)', (_locale, mail) => {
    const links = [...decoded(mail.html).matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)];
    const toVerify = links.filter((link) => link[1] === data.verifyUrl);
    expect(toVerify.map((link) => link[2])).toEqual([
      mail === sv ? 'Verifiera e-postadressen' : 'Verify e-mail address',
      data.verifyUrl,
    ]);
    expect(visibleText(mail.html)).toContain(data.verifyUrl);
    expect(mail.text).toContain(data.verifyUrl);
  });

  it('explains Visma Connect and states when the link expires, in Swedish time', () => {
    expect(sv.text).toContain('Visma Connect');
    expect(sv.text).toContain('ny inloggning');
    expect(sv.text).toContain('fredag 14 mars 2025 kl. 16:30 (svensk tid)');
    expect(sv.html).toContain('fredag 14 mars 2025 kl. 16:30 (svensk tid)');
    expect(en.text).toContain('Friday, 14 March 2025 at 16:30 (Swedish time)');
    expect(en.text).toContain('new login');
  });

  it.each([
    ['sv', sv],
    ['en', en],
  ])('%s: leads to the login page and "Glömt ditt lösenord?" (R4)', (_locale, mail) => {
    for (const part of [mail.html, mail.text]) {
      expect(part).toContain('Glömt ditt lösenord?');
      expect(part).toContain(data.loginUrl);
    }
    expect(mail.html).toContain(`href="${data.loginUrl}"`);
  });

  it('names the Swedish button text in the English mail too', () => {
    expect(en.text).toContain('“Glömt ditt lösenord?” (Forgot your password?)');
  });

  it("carries a summary in the other language, marked with that language's lang", () => {
    expect(sv.text).toContain('In English:');
    expect(sv.html).toContain('<div lang="en"');
    expect(en.text).toContain('På svenska:');
    expect(en.html).toContain('<div lang="sv"');
    expect(en.text).toContain('fredag 14 mars 2025 kl. 16:30');
  });

  it('explains in the footer why the mail came and that it can be ignored', () => {
    expect(sv.text).toContain('bortse från det');
    expect(en.text).toContain('ignore it');
    expect(sv.text).toContain('Flex HRM · Visma Connect');
    expect(sv.html).toContain('Flex HRM · Visma Connect');
  });

  it('greets by name, or naturally without one', () => {
    expect(sv.text).toContain('Hej Anna Svensson!');
    expect(en.text).toContain('Hello Anna Svensson,');
    for (const displayName of [undefined, '', '   ']) {
      const anon = { ...data, displayName };
      const svAnon = renderer.render('verification', 'sv', anon);
      const enAnon = renderer.render('verification', 'en', anon);
      expect(svAnon.text).toMatch(/^Hej!$/m);
      expect(svAnon.html).toContain('>Hej!</p>');
      expect(enAnon.text).toMatch(/^Hello,$/m);
      expect(svAnon.text).not.toMatch(/Hej\s+!|undefined/);
    }
  });

  it('reads naturally without a company name', () => {
    const mail = renderer.render('verification', 'sv', { ...data, companyName: undefined });
    expect(mail.text).toContain('En administratör har angett anna@example.se');
    expect(mail.text).not.toContain(' på  ');
  });

  it('escapes user data in HTML', () => {
    const evil = renderer.render('verification', 'sv', {
      ...data,
      displayName: '<script>alert(1)</script>',
      companyName: '<b>Evil</b> "AB"',
    });
    expect(evil.html).not.toContain('<script>');
    expect(evil.html).toContain('Hej &lt;script&gt;alert(1)&lt;/script&gt;!');
    expect(evil.html).not.toContain('<b>Evil</b>');
    expect(evil.html).toContain('&lt;b&gt;Evil&lt;/b&gt; &quot;AB&quot;');
  });

  it('keeps plain text unescaped and free of HTML tags', () => {
    expect(sv.html).toContain('Andersson &amp; Söner AB');
    expect(sv.text).toContain('Andersson & Söner AB');
    expect(sv.text).toContain('?x=1&y=2');
    for (const text of [sv.text, en.text]) {
      expect(text).not.toMatch(/<\/?[a-z][^>]*>/i);
      expect(text).not.toMatch(/&(amp|lt|gt|quot|#x?[0-9a-f]+);/i);
      expect(text).not.toMatch(/\n{3,}/);
      expect(text.endsWith('\n')).toBe(true);
    }
  });

  it('uses inline styles, no images and no <style> block (mail clients strip them)', () => {
    expect(sv.html).not.toMatch(/<style|<img|<link/i);
    expect(sv.html).toContain('max-width:600px');
    expect(sv.html).toMatch(/<a href="[^"]+" style="display:inline-block;[^"]*color:#ffffff;/);
  });

  it('keeps a subject on one line whatever the data', () => {
    expect(sv.subject).not.toMatch(/[\r\n]/);
  });

  it('refuses a non-web link and an invalid date', () => {
    expect(() =>
      renderer.render('verification', 'sv', { ...data, verifyUrl: 'javascript:alert(1)' }),
    ).toThrow(/verifyUrl must be an http\(s\) URL/);
    expect(() =>
      renderer.render('verification', 'sv', { ...data, expiresAt: new Date('nope') }),
    ).toThrow(/expiresAt/);
  });
});

describe('MailRenderer: templates are checked at construction', () => {
  const withSvHtml = (html: string): MailTemplateRegistry => ({
    verification: {
      ...MAIL_TEMPLATES.verification,
      sources: {
        ...MAIL_TEMPLATES.verification.sources,
        sv: { ...MAIL_TEMPLATES.verification.sources.sv, html },
      },
    },
  });

  it('renders every shipped template at start-up', () => {
    expect(() => new MailRenderer()).not.toThrow();
  });

  it.each([
    ['a syntax error', '{{#if displayName}}unclosed', /verification\.sv\.html/],
    ['an unknown helper', '{{shout displayName}}', /unknown helper shout/],
    ['a misspelt field', '<p>{{verifyUrll}}</p>', /"verifyUrll" not defined/],
  ])('fails on %s', (_what, html, message) => {
    expect(() => new MailRenderer(withSvHtml(html))).toThrow(MailTemplateError);
    expect(() => new MailRenderer(withSvHtml(html))).toThrow(message);
  });
});

describe('MailTemplateError', () => {
  it('is marked permanent: rendering again would fail again', () => {
    expect(new MailTemplateError('verification.sv.html', new Error('x')).failureKind).toBe(
      'permanent',
    );
  });
});
