import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import {
  LinkUseRepository,
  MongoRateLimits,
  UserStateRepository,
  VerificationLinkRepository,
} from '@app/persistence';
import { PageRenderer } from '@app/pages';
import { outcomeCounterProvider, SERVICE_CONFIG, StoresModule } from '@app/service-runtime';
import { VerificationLinkPage } from '@app/verification';
import type { PageConfig } from './config';
import { PAGE_CSRF, PAGE_OPTIONS, type PageOptions } from './page-providers';
import { pageCsrf } from './page-security';
import { CONFIRMATION_OUTCOMES, VerifyController } from './verify.controller';

export const EVENT_SOURCE = '/connect-provisioning/verification-page';

const STORES = StoresModule.forFeature({
  // Requests are counted in MongoDB (MongoRateLimits): one budget shared by every instance.
  stores: [VerificationLinkRepository, UserStateRepository, LinkUseRepository, MongoRateLimits],
  outboxes: (store) => [store(LinkUseRepository).outbox],
});

const secure = (config: PageConfig) => new URL(config.PUBLIC_BASE_URL).protocol === 'https:';

@Module({
  imports: [
    STORES,
    ThrottlerModule.forRootAsync({
      inject: [MongoRateLimits, SERVICE_CONFIG],
      useFactory: (storage: MongoRateLimits, config: PageConfig) => ({
        throttlers: [{ ttl: 60_000, limit: config.PAGE_RATE_LIMIT_PER_MINUTE }],
        storage,
        // One budget per client address for the whole page: by default each route counts
        // apart, which would double what a guesser gets by alternating GET and POST.
        generateKey: (_context, tracker) => `verify:${tracker}`,
      }),
    }),
  ],
  controllers: [VerifyController],
  providers: [
    { provide: APP_GUARD, useClass: ThrottlerGuard },
    outcomeCounterProvider(CONFIRMATION_OUTCOMES),
    {
      provide: VerificationLinkPage,
      useFactory: (
        links: VerificationLinkRepository,
        states: UserStateRepository,
        uses: LinkUseRepository,
      ) => new VerificationLinkPage(links, states, uses, { source: EVENT_SOURCE }),
      inject: [VerificationLinkRepository, UserStateRepository, LinkUseRepository],
    },
    // Relative, so the page works behind a proxy that mounts it under a path.
    { provide: PageRenderer, useFactory: () => new PageRenderer('../assets') },
    {
      provide: PAGE_CSRF,
      useFactory: (config: PageConfig) => pageCsrf(config.PAGE_CSRF_SECRET, secure(config)),
      inject: [SERVICE_CONFIG],
    },
    {
      provide: PAGE_OPTIONS,
      useFactory: (config: PageConfig): PageOptions => ({
        loginUrl: config.LOGIN_URL,
        minResponseMs: config.PAGE_MIN_RESPONSE_MS,
      }),
      inject: [SERVICE_CONFIG],
    },
  ],
})
export class VerificationPageModule {}
