import { CONSOLE_PATHS } from '@app/operations';

const ORIGIN = 'http://console.invalid';

/**
 * Where to go after signing in: a path of this console, or the overview. Anything that would
 * leave the console (`//evil.example`, `/\evil.example`, `/%2e//evil.example`, `https://…`) or
 * loop back to the sign-in is refused, so the form cannot be used to send an operator elsewhere.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.length > 2000) {
    return CONSOLE_PATHS.overview;
  }
  const url = parsedOnConsole(next);
  if (!url) return CONSOLE_PATHS.overview;
  const target = `${url.pathname}${url.search}`;
  // Dot segments are removed after the host is read: `/%2e//evil.example/` resolves to the
  // path `//evil.example/`, which a browser reads back as another host. So the answer itself
  // must land on this console, on the same path, when the browser resolves it.
  const landing = parsedOnConsole(target);
  if (!landing || landing.pathname !== url.pathname || target.startsWith('//')) {
    return CONSOLE_PATHS.overview;
  }
  if (url.pathname === CONSOLE_PATHS.login || url.pathname === CONSOLE_PATHS.logout) {
    return CONSOLE_PATHS.overview;
  }
  return target;
}

/** `value` resolved as a browser would on this console; undefined when it leaves the origin. */
function parsedOnConsole(value: string): URL | undefined {
  try {
    const url = new URL(value, ORIGIN);
    return url.origin === ORIGIN ? url : undefined;
  } catch {
    return undefined;
  }
}
