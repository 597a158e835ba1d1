import type { Logger } from 'pino';
import { PageRenderer, prepareFormApp } from '@app/pages';
import { defineHttpService, LOGGER, serveHttp, sweepOutbox } from '@app/service-runtime';
import { loadPageConfig, type PageConfig } from './config';
import { PageExceptionFilter } from './page-exception.filter';
import { VerificationPageModule } from './verification-page.module';

const https = (config: PageConfig) => new URL(config.PUBLIC_BASE_URL).protocol === 'https:';

/** The verification page: the outbox sweep, then the HTTP server. */
export const startVerificationPage = defineHttpService({
  service: 'verification-page',
  loadConfig: loadPageConfig,
  module: VerificationPageModule,
  topics: (t) => [t.EmailVerified],
  // Stopped in reverse: health, the HTTP server (requests in flight), the outbox sweep.
  steps: (config) => [
    sweepOutbox(),
    serveHttp({ port: config.PAGE_PORT, host: config.PAGE_HOST }, (app) => {
      const log = app.get<Logger>(LOGGER);
      if (!config.PAGE_CSRF_SECRET)
        log.warn('PAGE_CSRF_SECRET is not set: forms work with this instance only');
      prepareFormApp(app, { trustedProxies: config.PAGE_TRUSTED_PROXIES, https: https(config) });
      app.useGlobalFilters(new PageExceptionFilter(app.get(PageRenderer), log));
    }),
  ],
  started: {
    message: 'verification page started',
    fields: (config) => ({ publicBaseUrl: config.PUBLIC_BASE_URL }),
  },
});

export type { RunningHttpService as RunningPage } from '@app/service-runtime';
