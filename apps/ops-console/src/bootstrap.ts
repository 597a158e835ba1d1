import type { Logger } from 'pino';
import { ConsolePages } from '@app/operations';
import { prepareFormApp } from '@app/pages';
import { defineHttpService, LOGGER, serveHttp } from '@app/service-runtime';
import { loadConsoleConfig } from './config';
import { ConsoleAuth } from './console-auth';
import { ConsoleExceptionFilter } from './console-exception.filter';
import { noStore } from './console-security';
import { OpsConsoleModule } from './ops-console.module';

/**
 * The operations console: reads only, but for the sign-in attempts per address, shared by
 * every instance. No topic, no producer.
 */
export const startOpsConsole = defineHttpService({
  service: 'ops-console',
  loadConfig: loadConsoleConfig,
  module: OpsConsoleModule,
  steps: (config) => [
    serveHttp({ port: config.OPS_CONSOLE_PORT, host: config.OPS_CONSOLE_HOST }, (app) => {
      prepareFormApp(app, { trustedProxies: config.OPS_CONSOLE_TRUSTED_PROXIES });
      app.use(noStore);
      const [pages, auth] = [app.get(ConsolePages), app.get(ConsoleAuth)];
      app.useGlobalFilters(new ConsoleExceptionFilter(pages, auth, app.get<Logger>(LOGGER)));
    }),
  ],
  started: { message: 'operations console started' },
});

export type { RunningHttpService as RunningConsole } from '@app/service-runtime';
