import {
  Controller,
  Get,
  Header,
  Inject,
  NotFoundException,
  Param,
  Query,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { ConsolePages } from '@app/operations';
import { ConsoleReads } from './console-reads';

const HTML = 'text/html; charset=utf-8';
/** Rows drawn on a dead-letter page; the counts by error code still cover every letter. */
const DEAD_LETTER_ROWS = 500;
// Ids and tenants are short; a longer value is a mistake or a probe, not worth a query.
const MAX_ID_LENGTH = 200;

/** A single query value as text: repeated or nested parameters are not ids. */
function queryText(value: unknown): string {
  return typeof value === 'string' ? value.trim().slice(0, MAX_ID_LENGTH) : '';
}

/** The console's pages. Read only: every handler reads, picks a page and draws it. */
@Controller()
export class ConsoleController {
  constructor(
    @Inject(ConsoleReads) private readonly reads: ConsoleReads,
    @Inject(ConsolePages) private readonly pages: ConsolePages,
  ) {}

  @Get()
  @Header('Content-Type', HTML)
  async overview(@Query('live') live: unknown): Promise<string> {
    const view = await this.reads.overview(queryText(live) !== '0');
    return this.pages.render('overview', view, { signedIn: true });
  }

  /** The lookup form's target; without both fields, the form alone. */
  @Get('users')
  @Header('Content-Type', HTML)
  async lookup(
    @Query('tenantId') tenantId: unknown,
    @Query('userId') userId: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const tenant = queryText(tenantId);
    const user = queryText(userId);
    if (!tenant || !user) {
      return this.pages.render(
        'user_lookup',
        { tenantId: tenant, userId: user, notFound: false },
        { signedIn: true },
      );
    }
    return this.user(tenant, user, res);
  }

  @Get('users/:tenantId/:userId')
  @Header('Content-Type', HTML)
  async user(
    @Param('tenantId') tenantId: string,
    @Param('userId') userId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const timeline = await this.reads.userTimeline(tenantId, userId);
    if (!timeline.user && timeline.entries.length === 0) {
      res.status(404);
      return this.pages.render(
        'user_lookup',
        { tenantId, userId, notFound: true },
        { signedIn: true },
      );
    }
    return this.pages.render('user', { tenantId, userId, timeline }, { signedIn: true });
  }

  @Get('requests/:tenantId/:requestId')
  @Header('Content-Type', HTML)
  async request(
    @Param('tenantId') tenantId: string,
    @Param('requestId') requestId: string,
  ): Promise<string> {
    const request = await this.reads.request(tenantId, requestId);
    if (!request) throw new NotFoundException();
    return this.pages.render('request', { request }, { signedIn: true });
  }

  @Get('imports/:tenantId/:importId')
  @Header('Content-Type', HTML)
  async import(
    @Param('tenantId') tenantId: string,
    @Param('importId') importId: string,
  ): Promise<string> {
    const summary = await this.reads.import(tenantId, importId);
    if (!summary) throw new NotFoundException();
    return this.pages.render('import', { import: summary }, { signedIn: true });
  }

  /** `topic`: one of this deployment's topics, or its `.dlq` name. */
  @Get('dlq/:topic')
  @Header('Content-Type', HTML)
  async deadLetters(@Param('topic') name: string): Promise<string> {
    const topic = await this.reads.deadLetterTopic(name);
    if (!topic) throw new NotFoundException();
    const letters = await this.reads.deadLetters(topic);
    return this.pages.render(
      'dead_letters',
      { topic, letters, rowLimit: DEAD_LETTER_ROWS },
      { signedIn: true },
    );
  }
}
