import cookieParser from 'cookie-parser';
import type { Logger } from 'pino';
import type { Environment } from '@app/config';
import { ConsolePages } from '@app/operations';
import { FORM_BODY_LIMIT_BYTES, htmlSecurityHeaders } from '@app/pages';
import {
  listeningUrl,
  LOGGER,
  type RunningService,
  serveHttp,
  startService,
} from '@app/service-runtime';
import { loadConsoleConfig } from './config';
import { ConsoleAuth } from './console-auth';
import { ConsoleExceptionFilter } from './console-exception.filter';
import { noStore } from './console-security';
import { OpsConsoleModule } from './ops-console.module';

export interface RunningConsole extends RunningService {
  /** Where the console listens, e.g. http://127.0.0.1:8084 */
  url: string;
}

const SERVICE = 'ops-console';

/**
 * Starts the operations console: reads only, but for the sign-in attempts per address, shared
 * by every instance. No topic, no producer.
 */
export async function startOpsConsole(
  env: Environment = process.env,
  logger?: Logger,
): Promise<RunningConsole> {
  const config = loadConsoleConfig(env);
  const url = (app: RunningService['app']) => listeningUrl(app, config.OPS_CONSOLE_HOST);
  const running = await startService({
    service: SERVICE,
    config,
    logger,
    module: OpsConsoleModule,
    steps: [
      serveHttp({ port: config.OPS_CONSOLE_PORT, host: config.OPS_CONSOLE_HOST }, (app) => {
        app.disable('x-powered-by');
        app.set('trust proxy', config.OPS_CONSOLE_TRUSTED_PROXIES);
        app.use(htmlSecurityHeaders());
        app.use(noStore);
        app.use(cookieParser());
        app.useBodyParser('urlencoded', { extended: false, limit: FORM_BODY_LIMIT_BYTES });
        const [pages, auth] = [app.get(ConsolePages), app.get(ConsoleAuth)];
        app.useGlobalFilters(new ConsoleExceptionFilter(pages, auth, app.get<Logger>(LOGGER)));
      }),
    ],
    started: { message: 'operations console started', fields: (app) => ({ url: url(app) }) },
  });
  return { ...running, url: url(running.app) };
}
