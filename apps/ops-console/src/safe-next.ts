import { CONSOLE_PATHS } from '@app/operations';

const ORIGIN = 'http://console.invalid';

/**
 * Where to go after signing in: a path of this console, or the overview. Anything that would
 * leave the console (`//evil.example`, `/\evil.example`, `https://…`) or loop back to the
 * sign-in is refused, so the form cannot be used to send an operator elsewhere.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.length > 2000) {
    return CONSOLE_PATHS.overview;
  }
  let url: URL;
  try {
    url = new URL(next, ORIGIN);
  } catch {
    return CONSOLE_PATHS.overview;
  }
  if (url.origin !== ORIGIN) return CONSOLE_PATHS.overview;
  if (url.pathname === CONSOLE_PATHS.login || url.pathname === CONSOLE_PATHS.logout) {
    return CONSOLE_PATHS.overview;
  }
  return `${url.pathname}${url.search}`;
}
