import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { bodyRefusal, type PageName, type PageRenderer } from '@app/pages';

/** Every failure is a page in Swedish and English, never a stack trace or JSON. */
@Catch()
export class PageExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly pages: PageRenderer,
    private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const refused = bodyRefusal(exception);
    const [status, page] = this.pageFor(exception);
    // A body we refuse is the client's doing: one line, no stack, nothing of what was sent.
    if (refused) this.logger.warn({ status, reason: refused.reason }, 'page request body refused');
    else if (status >= 500) this.logger.error({ err: exception }, 'page request failed');
    res
      .status(status)
      .set('Content-Type', 'text/html; charset=utf-8')
      .set('Cache-Control', 'no-store')
      .send(this.pages.render(page, {}));
  }

  private pageFor(exception: unknown): [number, PageName] {
    const refused = bodyRefusal(exception);
    if (refused) return [refused.status, refused.status === 413 ? 'too_large' : 'error'];
    if (exception instanceof ThrottlerException) return [429, 'too_many_requests'];
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404 || status === 405) return [404, 'not_found'];
      if (status < 500) return [status, 'error'];
    }
    return [500, 'error'];
  }
}
