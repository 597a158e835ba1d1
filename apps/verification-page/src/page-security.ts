import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';

export interface PageCsrf {
  /** Sets the cookie and returns the value for the form's hidden field. */
  issue(req: Request, res: Response): string;
  /** Whether the POST carries a field that matches its cookie, for this link. */
  accepts(req: Request): boolean;
}

/**
 * Double-submit cookie (csrf-csrf): the form's field must match a SameSite=Strict cookie
 * signed with our secret and bound to the link's path, which another site can neither read
 * nor set.
 */
export function pageCsrf(secret: string | undefined, secure: boolean): PageCsrf {
  // Without a configured secret, forms work with this process only (fine for one instance).
  const key = secret ?? randomBytes(32).toString('hex');
  const { generateCsrfToken, validateRequest } = doubleCsrf({
    getSecret: () => key,
    getSessionIdentifier: (req) => req.path,
    cookieName: secure ? '__Host-vc.csrf' : 'vc.csrf',
    cookieOptions: { sameSite: 'strict', secure, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => formField(req, '_csrf'),
  });
  return {
    issue: (req, res) => generateCsrfToken(req, res, { overwrite: true }),
    accepts: (req) => validateRequest(req),
  };
}

function formField(req: Request, name: string): string | undefined {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const value: unknown = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}
