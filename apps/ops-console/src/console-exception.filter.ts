import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { ConsoleMessagePage, ConsolePages } from '@app/operations';
import { bodyRefusal } from '@app/pages';
import type { ConsoleAuth } from './console-auth';
import { safeNext } from './safe-next';

// Plain numbers: Nest's HttpStatus enum and the numbers exceptions carry do not compare cleanly.
const STATUS = {
  unauthorized: 401,
  notFound: 404,
  methodNotAllowed: 405,
  tooLarge: 413,
  tooManyRequests: 429,
  internalError: 500,
  unavailable: 503,
} as const;

/**
 * Every failure is a page in Swedish and English, never a stack trace or JSON. Without the
 * token the answer is the sign-in page with 401, whichever page was asked for.
 */
@Catch()
export class ConsoleExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly pages: ConsolePages,
    private readonly auth: ConsoleAuth,
    private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const status = statusOf(exception);
    const refused = bodyRefusal(exception);
    // A body we refuse is the client's doing: one line, no stack, nothing of what was sent.
    if (refused) {
      this.logger.warn({ status, reason: refused.reason }, 'console request body refused');
    } else if (status >= 500 && status !== STATUS.unavailable) {
      this.logger.error({ err: exception }, 'console page failed');
    } else if (status === STATUS.unavailable) {
      this.logger.warn({ err: exception }, 'console read unavailable');
    }
    res
      .status(status)
      .set('Content-Type', 'text/html; charset=utf-8')
      .set('Cache-Control', 'no-store');
    if (status === STATUS.unauthorized) {
      res.set('WWW-Authenticate', 'Bearer realm="ops-console"');
      // Back to the page asked for after signing in; only a GET can be repeated that way.
      const next = safeNext(req.method === 'GET' ? req.originalUrl : undefined);
      res.send(this.pages.render('login', { refused: false, next }, { signedIn: false }));
      return;
    }
    res.send(this.pages.render(pageOf(status), {}, { signedIn: this.auth.accepts(req) }));
  }
}

function statusOf(exception: unknown): number {
  const refused = bodyRefusal(exception);
  if (refused) return refused.status;
  if (exception instanceof ThrottlerException) return STATUS.tooManyRequests;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return status === STATUS.methodNotAllowed ? STATUS.notFound : status;
  }
  return STATUS.internalError;
}

function pageOf(status: number): ConsoleMessagePage {
  if (status === STATUS.notFound) return 'not_found';
  if (status === STATUS.tooManyRequests) return 'too_many_requests';
  if (status === STATUS.tooLarge) return 'too_large';
  if (status === STATUS.unavailable) return 'unavailable';
  return 'error';
}
