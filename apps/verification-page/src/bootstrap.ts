import cookieParser from 'cookie-parser';
import type { Logger } from 'pino';
import type { Environment } from '@app/config';
import { FORM_BODY_LIMIT_BYTES, htmlSecurityHeaders, PageRenderer } from '@app/pages';
import {
  listeningUrl,
  LOGGER,
  type RunningService,
  serveHttp,
  startService,
  sweepOutbox,
} from '@app/service-runtime';
import { loadPageConfig } from './config';
import { PageExceptionFilter } from './page-exception.filter';
import { VerificationPageModule } from './verification-page.module';

export interface RunningPage extends RunningService {
  /** Where the page listens, e.g. http://127.0.0.1:8080 */
  url: string;
}

const SERVICE = 'verification-page';

/** Starts the verification page: the outbox sweep, then the HTTP server. */
export async function startVerificationPage(
  env: Environment = process.env,
  logger?: Logger,
): Promise<RunningPage> {
  const config = loadPageConfig(env);
  const secure = new URL(config.PUBLIC_BASE_URL).protocol === 'https:';
  const url = (app: RunningService['app']) => listeningUrl(app, config.PAGE_HOST);
  const running = await startService({
    service: SERVICE,
    config,
    logger,
    module: VerificationPageModule,
    topics: (t) => [t.EmailVerified],
    // Stopped in reverse: health, the HTTP server (requests in flight), the outbox sweep.
    steps: [
      sweepOutbox(),
      serveHttp({ port: config.PAGE_PORT, host: config.PAGE_HOST }, (app) => {
        const log = app.get<Logger>(LOGGER);
        if (!config.PAGE_CSRF_SECRET)
          log.warn('PAGE_CSRF_SECRET is not set: forms work with this instance only');
        app.disable('x-powered-by');
        app.set('trust proxy', config.PAGE_TRUSTED_PROXIES);
        app.use(htmlSecurityHeaders(secure));
        app.use(cookieParser());
        app.useBodyParser('urlencoded', { extended: false, limit: FORM_BODY_LIMIT_BYTES });
        app.useGlobalFilters(new PageExceptionFilter(app.get(PageRenderer), log));
      }),
    ],
    started: {
      message: 'verification page started',
      fields: (app) => ({ url: url(app), publicBaseUrl: config.PUBLIC_BASE_URL }),
    },
  });
  return { ...running, url: url(running.app) };
}
