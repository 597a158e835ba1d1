import { ConsoleAuth, sessionCookieName, type CredentialSource } from './console-auth';
import { safeNext } from './safe-next';

const TOKEN = 'a'.repeat(20) + 'b'.repeat(20);
const HOUR = 3_600_000;

function request(parts: { authorization?: string; cookie?: string; secure?: boolean }) {
  const secure = parts.secure ?? false;
  const source: CredentialSource = {
    headers: parts.authorization ? { authorization: parts.authorization } : {},
    cookies: parts.cookie ? { [sessionCookieName(secure)]: parts.cookie } : {},
    secure,
  };
  return source;
}

describe('ConsoleAuth', () => {
  let now = Date.parse('2026-01-08T12:00:00Z');
  const auth = new ConsoleAuth(TOKEN, 12 * HOUR, () => now);

  it('accepts the token as a bearer, and nothing else', () => {
    expect(auth.accepts(request({ authorization: `Bearer ${TOKEN}` }))).toBe(true);
    expect(auth.accepts(request({ authorization: `bearer ${TOKEN}` }))).toBe(true);
    expect(auth.accepts(request({ authorization: `Bearer ${TOKEN}x` }))).toBe(false);
    expect(auth.accepts(request({ authorization: `Basic ${TOKEN}` }))).toBe(false);
    expect(auth.accepts(request({ authorization: TOKEN }))).toBe(false);
    expect(auth.accepts(request({}))).toBe(false);
    expect(auth.acceptsToken(undefined)).toBe(false);
    expect(auth.acceptsToken(['x'])).toBe(false);
  });

  it('issues a session cookie that holds an expiry and an HMAC, never the token', () => {
    const session = auth.issueSession(false);
    expect(session.name).toBe('ops-console');
    expect(session.value).not.toContain(TOKEN);
    expect(session.value).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
    expect(session.maxAgeMs).toBe(12 * HOUR);
    expect(auth.accepts(request({ cookie: session.value }))).toBe(true);
    expect(auth.issueSession(true).name).toBe('__Host-ops-console');
  });

  it('refuses an expired, altered or foreign session', () => {
    const session = auth.issueSession(false);
    const [expires, mac] = session.value.split('.') as [string, string];
    const later = String(Number(expires) + HOUR);
    expect(auth.accepts(request({ cookie: `${later}.${mac}` }))).toBe(false);
    expect(auth.accepts(request({ cookie: `${expires}.${mac.slice(1)}A` }))).toBe(false);
    const other = new ConsoleAuth('c'.repeat(40), 12 * HOUR, () => now);
    expect(other.accepts(request({ cookie: session.value }))).toBe(false);
    // A cookie set over http is not read over https, where only the __Host- cookie counts.
    const overHttps = { headers: {}, cookies: { 'ops-console': session.value }, secure: true };
    expect(auth.accepts(overHttps)).toBe(false);
    now += 12 * HOUR + 1;
    expect(auth.accepts(request({ cookie: session.value }))).toBe(false);
  });
});

describe('safeNext', () => {
  it('keeps a path of the console with its query', () => {
    expect(safeNext('/requests/r1')).toBe('/requests/r1');
    expect(safeNext('/users?tenantId=a&userId=b')).toBe('/users?tenantId=a&userId=b');
  });

  it.each([
    ['another site', '//evil.example/x'],
    ['a backslash trick', '/\\evil.example'],
    ['an absolute URL', 'https://evil.example/'],
    ['a script URL', 'javascript:alert(1)'],
    ['the sign-in itself', '/login?next=/'],
    ['no value', undefined],
    ['a repeated parameter', ['/a', '/b']],
  ])('sends %s to the overview', (_what, next) => {
    expect(safeNext(next)).toBe('/');
  });
});
