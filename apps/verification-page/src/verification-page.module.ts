import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule, type ThrottlerStorage } from '@nestjs/throttler';
import type { Logger } from 'pino';
import { OutboxRelay } from '@app/messaging';
import { ObservabilityModule, OutcomeCounter } from '@app/observability';
import { PageRenderer } from '@app/pages';
import { VerificationLinkPage } from '@app/verification';
import { PAGE_CSRF, PAGE_OPTIONS, type PageCsrf, type PageOptions } from './page-providers';
import { VerifyController } from './verify.controller';

@Module({})
export class VerificationPageModule {
  static register(resources: {
    logger: Logger;
    outbox: OutboxRelay;
    linkPage: VerificationLinkPage;
    pages: PageRenderer;
    csrf: PageCsrf;
    options: PageOptions;
    rateLimitPerMinute: number;
    /** Where requests are counted: shared by every instance (MongoDB). */
    rateLimits: ThrottlerStorage;
    outcomes: OutcomeCounter;
  }): DynamicModule {
    return {
      module: VerificationPageModule,
      imports: [
        ObservabilityModule.forRoot(resources.logger),
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: 60_000, limit: resources.rateLimitPerMinute }],
          storage: resources.rateLimits,
          // One budget per client address for the whole page: by default each route counts
          // apart, which would double what a guesser gets by alternating GET and POST.
          generateKey: (_context, tracker) => `verify:${tracker}`,
        }),
      ],
      controllers: [VerifyController],
      providers: [
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: OutboxRelay, useValue: resources.outbox },
        { provide: OutcomeCounter, useValue: resources.outcomes },
        { provide: VerificationLinkPage, useValue: resources.linkPage },
        { provide: PageRenderer, useValue: resources.pages },
        { provide: PAGE_CSRF, useValue: resources.csrf },
        { provide: PAGE_OPTIONS, useValue: resources.options },
      ],
    };
  }
}
