import { safeNext } from './safe-next';

/** Where a browser on the console goes when it gets `location` as a redirect. */
function landsOn(location: string): URL {
  return new URL(location, 'https://console.example.se/login?next=x');
}

describe('safeNext: only same-origin paths after normalisation (issue 18, finding 5)', () => {
  it.each([
    ['a page', '/requests/t1/r1', '/requests/t1/r1'],
    ['a page with its query', '/users?tenantId=a&userId=b', '/users?tenantId=a&userId=b'],
    ['dot segments inside the console', '/a/../imports/t/i', '/imports/t/i'],
    ['an encoded dot segment inside the console', '/a/%2e%2e/users', '/users'],
    ['an encoded slash, kept encoded', '/dlq/a%2Fb', '/dlq/a%2Fb'],
    ['the overview', '/', '/'],
  ])('keeps %s', (_what, next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it.each([
    ['an encoded dot before two slashes', '/%2e//evil.example/'],
    ['an encoded dot, upper case', '/%2E//evil.example/'],
    ['a dot before two slashes', '/.//evil.example'],
    ['a parent segment before two slashes', '/a/..//evil.example'],
    ['two parent segments', '/a/b/../..//evil.example'],
    ['an encoded parent segment', '/a/%2e%2e//evil.example'],
    ['a protocol-relative address', '//evil.example/x'],
    ['three slashes', '///evil.example'],
    ['a backslash', '/\\evil.example'],
    ['a backslash after a dot', '/.\\/evil.example'],
    ['a tab browsers drop', '/\t/evil.example'],
    ['a newline browsers drop', '/\n/evil.example'],
    ['a carriage return browsers drop', '/\r/evil.example'],
    ['an absolute URL', 'https://evil.example/'],
    ['an absolute URL of the console itself', 'http://console.invalid/'],
    ['a script URL', 'javascript:alert(1)'],
    ['a relative path', 'requests/t/r'],
    ['leading white space', ' //evil.example'],
    ['the sign-in itself', '/login?next=/'],
    ['the sign-in through a dot segment', '/a/../login'],
    ['the sign-out', '/logout'],
    ['an over-long value', `/${'a'.repeat(2001)}`],
    ['no value', undefined],
    ['a repeated parameter', ['/a', '/b']],
    ['an object', { next: '/' }],
  ])('sends %s to the overview', (_what, next) => {
    expect(safeNext(next)).toBe('/');
  });

  it.each([
    '/%2e//evil.example/',
    '/.//x',
    '/a/..//x',
    '/\\evil',
    '/\t/evil',
    '/%2e%2e//x',
    '/%2e/%2e//x',
    '/./%2e/..//x',
  ])('never answers a location that leaves the console: %j', (next) => {
    const location = safeNext(next);
    expect(location.startsWith('//')).toBe(false);
    expect(landsOn(location).host).toBe('console.example.se');
  });
});
