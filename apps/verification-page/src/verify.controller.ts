import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Get, Header, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { OutboxRelay } from '@app/messaging';
import { maskEmail, OutcomeCounter } from '@app/observability';
import { PAGE_STYLESHEET, PageRenderer, type PageName } from '@app/pages';
import {
  hashVerificationToken,
  VerificationLinkPage,
  type LinkConfirmation,
  type LinkPage,
  type LinkProblem,
} from '@app/verification';
import { PAGE_CSRF, PAGE_OPTIONS, type PageCsrf, type PageOptions } from './page-providers';

const PROBLEM_PAGES: Readonly<Record<LinkProblem, PageName>> = {
  unknown: 'link_unknown',
  expired: 'link_expired',
  voided: 'link_voided',
};

/** Counted for /metrics by the controller: every POST, by what became of it. */
export const CONFIRMATION_OUTCOMES = {
  name: 'connect_link_confirmations_total',
  help: 'Presses of the verify button, by result: verified, already_verified, unknown, expired, voided or csrf_refused',
  label: 'result',
};

/**
 * GET and HEAD show the link's page and change nothing (mail scanners follow links); POST
 * verifies. Link problems all answer 404 after the same minimum time, so neither the status
 * nor the timing tells an address or a token apart.
 */
@Controller()
export class VerifyController {
  constructor(
    @Inject(VerificationLinkPage) private readonly linkPage: VerificationLinkPage,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
    @Inject(OutcomeCounter) private readonly confirmations: OutcomeCounter,
    @Inject(PageRenderer) private readonly pages: PageRenderer,
    @Inject(PAGE_CSRF) private readonly csrf: PageCsrf,
    @Inject(PAGE_OPTIONS) private readonly options: PageOptions,
    private readonly logger: PinoLogger,
  ) {}

  @Get('verify/:token')
  async open(
    @Param('token') token: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const started = Date.now();
    const page = await this.linkPage.open(token, new Date());
    this.logger.info({ link: linkRef(token), page: page.kind }, 'verification page shown');
    await this.atLeastMinimum(started);
    this.send(res, page.kind === 'problem' ? 404 : 200, this.viewOf(page, req, res));
  }

  @Post('verify/:token')
  async confirm(
    @Param('token') token: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const started = Date.now();
    if (!this.csrf.accepts(req)) {
      this.confirmations.inc('csrf_refused');
      await this.atLeastMinimum(started);
      this.send(res, 403, this.pages.render('form_expired', {}));
      return;
    }
    const result = await this.linkPage.confirm(token, new Date());
    if (result.kind === 'verified') await this.publish(result, token);
    this.confirmations.inc(result.kind === 'problem' ? result.problem : result.kind);
    this.logger.info({ link: linkRef(token), result: result.kind }, 'verification confirmed');
    await this.atLeastMinimum(started);
    this.send(res, result.kind === 'problem' ? 404 : 200, this.resultView(result));
  }

  @Get('assets/page.css')
  @SkipThrottle()
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  stylesheet(): string {
    return PAGE_STYLESHEET;
  }

  /** Browsers ask for it on every page; an empty answer keeps a 404 out of their consoles. */
  @Get('favicon.ico')
  @SkipThrottle()
  @HttpCode(204)
  favicon(): void {}

  private viewOf(page: LinkPage, req: Request, res: Response): string {
    switch (page.kind) {
      case 'confirm':
        return this.pages.render('confirm', {
          maskedEmail: maskEmail(page.email),
          expiresAt: page.expiresAt,
          csrfToken: this.csrf.issue(req, res),
        });
      case 'already_verified':
        return this.pages.render('already_verified', { loginUrl: this.options.loginUrl });
      case 'problem':
        return this.pages.render(PROBLEM_PAGES[page.problem], {});
    }
  }

  private resultView(result: LinkConfirmation): string {
    switch (result.kind) {
      case 'verified':
        return this.pages.render('verified', { loginUrl: this.options.loginUrl });
      case 'already_verified':
        return this.pages.render('already_verified', { loginUrl: this.options.loginUrl });
      case 'problem':
        return this.pages.render(PROBLEM_PAGES[result.problem], {});
    }
  }

  /** The use is stored with its event; if Kafka is away now, the outbox sweep publishes it. */
  private async publish(result: Extract<LinkConfirmation, { kind: 'verified' }>, token: string) {
    try {
      await this.outbox.flush(result.published);
    } catch (error) {
      this.logger.warn({ err: error, link: linkRef(token) }, 'EmailVerified left to the sweep');
    }
  }

  private async atLeastMinimum(started: number): Promise<void> {
    const left = this.options.minResponseMs - (Date.now() - started);
    if (left > 0) await sleep(left);
  }

  private send(res: Response, status: number, html: string): void {
    res
      .status(status)
      .set('Content-Type', 'text/html; charset=utf-8')
      .set('Cache-Control', 'no-store')
      .send(html);
  }
}

/** A log correlation for a link that cannot be turned back into the token. */
function linkRef(token: string): string {
  return hashVerificationToken(token).slice(0, 12);
}
