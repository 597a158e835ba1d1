import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { ConsoleAuth } from './console-auth';

const PUBLIC_ROUTE = 'ops-console:public';

/** A route anyone may reach: the sign-in form, signing out, the stylesheet. */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * Every route needs the operator token (bearer or session cookie) unless marked public.
 * A refusal becomes the sign-in page with 401 in the exception filter: no data is read first.
 */
@Injectable()
export class ConsoleAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(ConsoleAuth) private readonly auth: ConsoleAuth,
    private readonly logger: PinoLogger,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (this.auth.accepts(req)) return true;
    // A browser arriving without a session is normal; a wrong bearer token is not. Never the token.
    if (this.auth.presentsBearer(req)) {
      this.logger.warn({ ip: req.ip, via: 'bearer' }, 'console request refused: wrong token');
    }
    throw new UnauthorizedException();
  }
}
