import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What the guard and the sign-in form read of a request. */
export interface CredentialSource {
  headers: { authorization?: string | undefined };
  cookies?: unknown;
  secure: boolean;
}

export interface SessionCookie {
  name: string;
  value: string;
  maxAgeMs: number;
}

const SESSION_LABEL = 'ops-console.session.v1';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Equal without telling, through timing, how much of a guess was right. */
function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The operator token, checked two ways: `Authorization: Bearer <token>` for scripts, and a
 * session cookie for browsers. The cookie holds an expiry and an HMAC of it keyed with the
 * token, never the token itself: a leaked cookie ends at its expiry and reveals nothing, and a
 * new token ends every session. Nothing is stored, so restarts and several instances agree.
 */
export class ConsoleAuth {
  private readonly tokenDigest: Buffer;

  constructor(
    private readonly token: string,
    private readonly sessionMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokenDigest = digest(token);
  }

  /** Compared as digests: equal lengths, so the comparison takes the same time for any guess. */
  acceptsToken(candidate: unknown): boolean {
    return typeof candidate === 'string' && sameBytes(digest(candidate), this.tokenDigest);
  }

  /** Whether the request carries the token or a live session; false for anything else. */
  accepts(req: CredentialSource): boolean {
    return this.acceptsToken(bearerOf(req)) || this.acceptsSession(sessionOf(req));
  }

  /** True when a bearer token was presented at all (a wrong one is worth a log line). */
  presentsBearer(req: CredentialSource): boolean {
    return bearerOf(req) !== undefined;
  }

  issueSession(secure: boolean): SessionCookie {
    const expires = this.now() + this.sessionMs;
    return {
      name: sessionCookieName(secure),
      value: `${expires}.${this.mac(expires)}`,
      maxAgeMs: this.sessionMs,
    };
  }

  private acceptsSession(value: string | undefined): boolean {
    const match = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
    if (!match) return false;
    const expires = Number(match[1]);
    const expected = Buffer.from(this.mac(expires));
    return sameBytes(Buffer.from(match[2] ?? ''), expected) && expires > this.now();
  }

  private mac(expires: number): string {
    return createHmac('sha256', this.token)
      .update(`${SESSION_LABEL}.${expires}`)
      .digest('base64url');
  }
}

/** `__Host-` over https: the browser then refuses it from any other origin or path. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-ops-console' : 'ops-console';
}

function bearerOf(req: CredentialSource): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function sessionOf(req: CredentialSource): string | undefined {
  const cookies = req.cookies;
  if (typeof cookies !== 'object' || cookies === null) return undefined;
  const value: unknown = (cookies as Record<string, unknown>)[sessionCookieName(req.secure)];
  return typeof value === 'string' ? value : undefined;
}
