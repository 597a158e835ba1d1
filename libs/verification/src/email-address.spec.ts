import { normalizeEmail, sameAddress } from './email-address';

describe('normalizeEmail', () => {
  it.each([
    ['anna@example.se', 'anna@example.se'],
    ['anna+hr@example.se', 'anna+hr@example.se'],
    ['åsa@företag.se', 'åsa@företag.se'],
    ['anna@xn--fretag-4ya.se', 'anna@xn--fretag-4ya.se'],
    ['  Anna.Svensson@Example.SE \t', 'Anna.Svensson@example.se'],
  ])('accepts %j as %j (IDN domains, + tags, pasted whitespace)', (raw, saved) => {
    expect(normalizeEmail(raw)).toBe(saved);
  });

  it.each([
    'anna@example',
    'anna example@example.se',
    'anna@@example.se',
    '.anna@example.se',
    'anna..svensson@example.se',
    'anna@exa_mple.se',
    'anna@localhost',
    'anna@[127.0.0.1]',
    'Anna <anna@example.se>',
    `${'x'.repeat(65)}@example.se`,
    `anna@${'a'.repeat(64)}.se`,
    '',
  ])('rejects %j, which an SMTP server would refuse (R9)', (raw) => {
    expect(normalizeEmail(raw)).toBeUndefined();
  });
});

describe('sameAddress', () => {
  it('compares case-insensitively and never matches a missing address', () => {
    expect(sameAddress('Anna@Example.se', 'anna@example.se')).toBe(true);
    expect(sameAddress('anna@example.se', 'bo@example.se')).toBe(false);
    expect(sameAddress(null, null)).toBe(false);
  });
});
