import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { CONSOLE_PATHS, CONSOLE_STYLESHEET, ConsolePages } from '@app/operations';
import { ConsoleAuth, sessionCookieName } from './console-auth';
import { PublicRoute } from './console-auth.guard';
import { safeNext } from './safe-next';

const HTML = 'text/html; charset=utf-8';

/** The form's fields; anything else in the body is ignored. */
interface LoginForm {
  token?: unknown;
  next?: unknown;
}

/**
 * Signing in and out, and what the sign-in page itself needs. Public: the guard lets these
 * through; POST /login is rate-limited per address with every other unauthenticated request.
 */
@Controller()
export class LoginController {
  constructor(
    @Inject(ConsoleAuth) private readonly auth: ConsoleAuth,
    @Inject(ConsolePages) private readonly pages: ConsolePages,
    private readonly logger: PinoLogger,
  ) {}

  @Get('login')
  @PublicRoute()
  @SkipThrottle()
  @Header('Content-Type', HTML)
  form(@Query('next') next: unknown, @Req() req: Request, @Res() res: Response): void {
    const target = safeNext(next);
    if (this.auth.accepts(req)) return res.redirect(303, target);
    res.send(this.pages.render('login', { refused: false, next: target }, { signedIn: false }));
  }

  @Post('login')
  @PublicRoute()
  @Header('Content-Type', HTML)
  signIn(@Body() body: LoginForm | undefined, @Req() req: Request, @Res() res: Response): void {
    const target = safeNext(body?.next);
    if (!this.auth.acceptsToken(body?.token)) {
      // Who tried, never what they typed.
      this.logger.warn({ ip: req.ip, via: 'form' }, 'console sign-in refused: wrong token');
      res
        .status(401)
        .send(this.pages.render('login', { refused: true, next: target }, { signedIn: false }));
      return;
    }
    this.logger.info({ ip: req.ip }, 'console sign-in');
    const session = this.auth.issueSession(req.secure);
    res.cookie(session.name, session.value, {
      ...cookieOptions(req),
      maxAge: session.maxAgeMs,
    });
    res.redirect(303, target);
  }

  @Post('logout')
  @PublicRoute()
  @SkipThrottle()
  signOut(@Req() req: Request, @Res() res: Response): void {
    res.clearCookie(sessionCookieName(req.secure), cookieOptions(req));
    res.redirect(303, CONSOLE_PATHS.login);
  }

  @Get('assets/console.css')
  @PublicRoute()
  @SkipThrottle()
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  stylesheet(): string {
    return CONSOLE_STYLESHEET;
  }

  /** Browsers ask for it on every page; an empty answer keeps a 401 out of their consoles. */
  @Get('favicon.ico')
  @PublicRoute()
  @SkipThrottle()
  @HttpCode(204)
  favicon(): void {}
}

/** HttpOnly (no script reads it), SameSite=Strict (no other site sends it), Secure over https. */
function cookieOptions(req: Request) {
  return { httpOnly: true, sameSite: 'strict' as const, secure: req.secure, path: '/' };
}
