import {
  type ArgumentsHost,
  Catch,
  type INestMicroservice,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import { type Observable, throwError } from 'rxjs';
import type { KafkaEventServer } from './kafka-event.server';

/**
 * Nest's default filter turns a handler's error into `{ status: 'error' }`, losing what the
 * transport needs to decide between retrying and dead-lettering. This one passes it through.
 */
@Catch()
export class PassErrorsToTransportFilter implements RpcExceptionFilter {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Creates and starts a Nest microservice on the product's transport, with the error filter
 * it relies on and the process's pino logger. The module must import ObservabilityModule.
 */
export async function startEventMicroservice(
  module: unknown,
  server: KafkaEventServer,
): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(module as never, {
    strategy: server,
    bufferLogs: true,
  });
  app.useLogger(app.get(NestPinoLogger));
  app.useGlobalFilters(new PassErrorsToTransportFilter());
  await app.listen();
  return app;
}
