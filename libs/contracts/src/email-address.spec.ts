import { toASCII } from 'tr46';
import { emailAddress, MAX_EMAIL_LENGTH, normalizeEmail, sameAddress } from './email-address';

const UTS46_OPTIONS = {
  checkBidi: true,
  checkHyphens: true,
  checkJoiners: true,
  useSTD3ASCIIRules: true,
  verifyDNSLength: true,
};

describe('normalizeEmail', () => {
  it.each([
    ['anna@example.se', 'anna@example.se'],
    ['anna+hr@example.se', 'anna+hr@example.se'],
    ["o'brien!#$%&*/=?^_`{|}~-@example.se", "o'brien!#$%&*/=?^_`{|}~-@example.se"],
    ['  Anna.Svensson@Example.SE \t', 'Anna.Svensson@example.se'],
    ['anna@exämple.se', 'anna@xn--exmple-cua.se'],
    ['anna@EXÄMPLE.SE', 'anna@xn--exmple-cua.se'],
    ['anna@xn--exmple-cua.se', 'anna@xn--exmple-cua.se'],
    ['anna@XN--EXMPLE-CUA.se', 'anna@xn--exmple-cua.se'],
    // NFD (as macOS may paste it) is the same text to a reader: composed, not refused.
    ['anna@exa\u0308mple.se', 'anna@xn--exmple-cua.se'],
    ['anna@faß.de', 'anna@xn--fa-hia.de'],
    // U+212A Kelvin sign is canonically K (NFC), so it reads and routes as kalix.se.
    ['anna@\u212aalix.se', 'anna@kalix.se'],
  ])('accepts %j and stores %j (ASCII local part, domain as A-labels)', (raw, saved) => {
    expect(normalizeEmail(raw)).toBe(saved);
  });

  it.each([
    [
      'a quoted local part holding @ (goes out as x@evil.example@...)',
      '"x@evil.example"@example.com',
    ],
    ['CR/LF inside quotes', '"anna\r\nBcc: x@evil.example"@example.se'],
    ['a lone LF in the local part', 'anna\n@example.se'],
    ['a soft hyphen U+00AD (UTS-46 drops it: another domain)', 'anna@exa\u00admple.se'],
    ['a soft hyphen beside an IDN letter', 'anna@exäm\u00adple.se'],
    ['a zero-width space U+200B', 'anna@exa\u200bmple.se'],
    ['a zero-width space in the local part', 'an\u200bna@example.se'],
    ['a zero-width joiner U+200D', 'anna@ex\u200dample.se'],
    ['an RTL override U+202E', 'anna@exa\u202emple.se'],
    ['an RTL override in the local part', '\u202eanna@example.se'],
    ['a fullwidth @ U+FF20', 'anna\uff20example.se'],
    ['fullwidth letters (UTS-46 maps them to ASCII)', 'anna@ｅｘａｍｐｌｅ.se'],
    ['an ideographic full stop U+3002 (UTS-46 maps it to a dot)', 'anna@example\u3002se'],
    ['a trailing dot', 'anna@example.se.'],
    ['NUL', 'anna\u0000@example.se'],
    ['a C1 control U+0085', 'anna@exa\u0085mple.se'],
    ['DEL', 'anna\u007f@example.se'],
    ['a BOM inside', 'anna@exa\ufeffmple.se'],
    ['a non-ASCII local part', 'åsa@example.se'],
    ['a space inside', 'anna svensson@example.se'],
    ['a tab inside the domain', 'anna@exa\tmple.se'],
    ['no TLD', 'anna@example'],
    ['a numeric TLD (an IPv4 address)', 'anna@127.0.0.1'],
    ['an IPv4 literal', 'anna@[127.0.0.1]'],
    ['an IPv6 literal', 'anna@[IPv6:::1]'],
    ['two @', 'anna@@example.se'],
    ['a leading dot', '.anna@example.se'],
    ['a trailing dot in the local part', 'anna.@example.se'],
    ['two dots', 'anna..svensson@example.se'],
    ['an underscore in the domain', 'anna@exa_mple.se'],
    ['a label starting with a hyphen', 'anna@-example.se'],
    ['a punycode label that decodes to ASCII', 'anna@xn--example-.se'],
    ['localhost', 'anna@localhost'],
    ['a display name', 'Anna <anna@example.se>'],
    ['an address list', 'anna@example.se,bo@example.se'],
    ['a local part over 64 characters', `${'x'.repeat(65)}@example.se`],
    ['a label over 63 characters', `anna@${'a'.repeat(64)}.se`],
    ['nothing', ''],
    ['only the domain', '@example.se'],
  ])('rejects %s as invalid_email', (_what, raw) => {
    expect(normalizeEmail(raw)).toBeUndefined();
  });

  it('treats plain ASCII domains exactly as UTS-46 (tr46) does, on its fast path', () => {
    const domains = ['Example.SE', 'a-b.c-d.se', '1x.se', 'ab--cd.se', 'a.b', 'a-.se', 'x.s3'];
    for (const domain of domains) {
      const byTr46 = toASCII(domain, UTS46_OPTIONS);
      const expected = byTr46 && /\.(?:[a-z]{2,63})$/.test(byTr46) ? `anna@${byTr46}` : undefined;
      expect([domain, normalizeEmail(`anna@${domain}`)]).toEqual([domain, expected]);
    }
  });

  it(`accepts exactly ${MAX_EMAIL_LENGTH} characters and refuses one more`, () => {
    const domain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.se`; // 195
    const fits = `${'x'.repeat(MAX_EMAIL_LENGTH - domain.length - 1)}@${domain}`;
    expect(normalizeEmail(fits)).toBe(fits);
    expect(normalizeEmail(`x${fits}`)).toBeUndefined();
  });

  it('measures the limit on the stored A-label form, not on what was typed', () => {
    const domain = `${'ä'.repeat(10)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.se`;
    const typed = `${'x'.repeat(46)}@${domain}`;
    expect(typed.length).toBe(252);
    expect(normalizeEmail(`x@${domain}`)?.length).toBeGreaterThan(domain.length + 7);
    expect(normalizeEmail(typed)).toBeUndefined();
  });

  it('refuses a megabyte without working through it', () => {
    const started = process.hrtime.bigint();
    expect(normalizeEmail(`anna@${'a'.repeat(1_000_000)}.se`)).toBeUndefined();
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(50);
  });
});

describe('sameAddress', () => {
  it('compares normalised forms, without regard to case', () => {
    expect(sameAddress('Anna@Example.se', 'anna@example.se')).toBe(true);
    expect(sameAddress('anna@exämple.se', 'ANNA@xn--exmple-cua.se')).toBe(true);
    expect(sameAddress('anna@example.se', 'bo@example.se')).toBe(false);
  });

  it('never matches something that is not an address, not even itself', () => {
    expect(sameAddress(null, null)).toBe(false);
    expect(sameAddress('anna@example.se', undefined)).toBe(false);
    const hostile = '"x@evil.example"@example.com';
    expect(sameAddress(hostile, hostile)).toBe(false);
    // What UTS-46 would map onto example.se is not example.se.
    expect(sameAddress('anna@exa\u00admple.se', 'anna@example.se')).toBe(false);
  });
});

describe('emailAddress (the contract field)', () => {
  it('accepts what normalizeEmail accepts and refuses the rest with the rule', () => {
    expect(emailAddress().safeParse('anna@xn--exmple-cua.se').success).toBe(true);
    const refused = emailAddress().safeParse('"x@evil.example"@example.com');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toMatch(
      /ASCII local part without quotes, an IDNA2008 domain/,
    );
  });
});
