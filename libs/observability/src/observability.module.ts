import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';

/** Makes the process's one pino logger Nest's logger too, so framework lines are JSON as well. */
@Module({})
export class ObservabilityModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      // quietReqLogger: a request's log lines carry its id only, never its URL or headers,
      // which hold verification tokens and cookies.
      imports: [
        LoggerModule.forRoot({ pinoHttp: { logger, autoLogging: false, quietReqLogger: true } }),
      ],
      exports: [LoggerModule],
    };
  }
}
