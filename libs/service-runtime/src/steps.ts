import type { INestApplication, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { OutboxRelay } from '@app/messaging';
import type { StartStep } from './start-step';

/** Starts the outbox relay's sweep for what a dead process left behind. */
export function sweepOutbox(): StartStep {
  return async (app, closing) => {
    const outbox = app.get(OutboxRelay);
    outbox.start();
    closing.push('outbox', () => outbox.stop());
  };
}

/** Closes a provider of the app (e.g. the mail transport) at this point of the shutdown. */
export function closeOnStop(name: string, type: Type<{ close(): Promise<unknown> }>): StartStep {
  return async (app, closing) => {
    const resource = app.get(type);
    closing.push(name, () => resource.close());
  };
}

/** Listens for HTTP after `configure` set the app's middleware; stops taking requests first. */
export function serveHttp(
  address: { port: number; host: string },
  configure: (app: NestExpressApplication) => void,
): StartStep {
  return async (app: INestApplication, closing) => {
    configure(app as NestExpressApplication);
    await app.listen(address.port, address.host);
    closing.push('http', () => app.close());
  };
}
