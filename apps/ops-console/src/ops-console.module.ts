import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule, type ThrottlerStorage } from '@nestjs/throttler';
import type { Request } from 'express';
import type { Logger } from 'pino';
import { ObservabilityModule } from '@app/observability';
import { ConsolePages } from '@app/operations';
import { ConsoleController } from './console.controller';
import { ConsoleAuth } from './console-auth';
import { ConsoleAuthGuard } from './console-auth.guard';
import { ConsoleReads } from './console-reads';
import { LoginController } from './login.controller';

@Module({})
export class OpsConsoleModule {
  static register(resources: {
    logger: Logger;
    reads: ConsoleReads;
    pages: ConsolePages;
    auth: ConsoleAuth;
    loginAttemptsPerMinute: number;
    /** Where attempts are counted: shared by every instance (MongoDB). */
    rateLimits: ThrottlerStorage;
  }): DynamicModule {
    const { auth } = resources;
    return {
      module: OpsConsoleModule,
      imports: [
        ObservabilityModule.forRoot(resources.logger),
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: 60_000, limit: resources.loginAttemptsPerMinute }],
          storage: resources.rateLimits,
          // Only requests without a valid token count: guesses through the form and through
          // the bearer header alike. Signed-in operators (pages reload every 10 s) never do.
          skipIf: (context) => auth.accepts(context.switchToHttp().getRequest<Request>()),
          // One budget per address for the whole console: by default each route counts apart.
          generateKey: (_context, tracker) => `sign-in:${tracker}`,
        }),
      ],
      controllers: [LoginController, ConsoleController],
      providers: [
        // In this order: a guesser over the limit gets 429 before the token is even compared.
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_GUARD, useClass: ConsoleAuthGuard },
        { provide: ConsoleAuth, useValue: auth },
        { provide: ConsoleReads, useValue: resources.reads },
        { provide: ConsolePages, useValue: resources.pages },
      ],
    };
  }
}
