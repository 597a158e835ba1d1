import { emailAddress } from '@app/contracts';
import { normalizeEmail, sameAddress } from './email-address';

// The full rule is specified beside it (libs/contracts/src/email-address.spec.ts); these pin
// that the request and import paths (which import it from here) and the contract agree.
const HOSTILE = {
  'quoted local part holding @': '"x@evil.example"@example.com',
  'CR/LF inside quotes': '"anna\r\nbcc"@example.se',
  'soft hyphen U+00AD in the domain': 'anna@exa\u00admple.se',
  'zero-width space U+200B': 'anna@exa\u200bmple.se',
  'RTL override U+202E': 'anna@exa\u202emple.se',
  'fullwidth @ U+FF20': 'anna\uff20example.se',
  'trailing dot': 'anna@example.se.',
  'IP literal': 'anna@[127.0.0.1]',
  'no TLD': 'anna@example',
};

describe('the address rule on the request and import paths', () => {
  it.each(Object.entries(HOSTILE))('refuses a %s, as the contract does', (_what, raw) => {
    expect(normalizeEmail(raw)).toBeUndefined();
    expect(emailAddress().safeParse(raw).success).toBe(false);
  });

  it('accepts the IDN "anna@exämple.se" and saves it as its A-label form', () => {
    expect(normalizeEmail(' anna@Exämple.se ')).toBe('anna@xn--exmple-cua.se');
    expect(emailAddress().safeParse('anna@exämple.se').success).toBe(true);
  });

  it('treats the Unicode and the A-label form of one address as the same address', () => {
    expect(sameAddress('anna@exämple.se', 'anna@xn--exmple-cua.se')).toBe(true);
    expect(sameAddress(HOSTILE['quoted local part holding @'], 'x@evil.example')).toBe(false);
  });
});
