import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { FORM_BODY_LIMIT_BYTES } from './body-refusal';
import { htmlSecurityHeaders } from './security-headers';

export interface FormAppOptions {
  /** Behind a reverse proxy: how many hops of X-Forwarded-For name the client. */
  trustedProxies: number;
  /** Served over https: HSTS and upgrade-insecure-requests too. */
  https?: boolean;
}

/**
 * What every HTML app with a form needs before its routes (the page and the console): the
 * security headers, cookies for the CSRF and session tokens, and a small urlencoded body only.
 */
export function prepareFormApp(app: NestExpressApplication, options: FormAppOptions): void {
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustedProxies);
  app.use(htmlSecurityHeaders(options.https));
  app.use(cookieParser());
  app.useBodyParser('urlencoded', { extended: false, limit: FORM_BODY_LIMIT_BYTES });
}
