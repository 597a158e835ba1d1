import { ConfigError } from '@app/config';
import type { Logger } from 'pino';

export interface RunningService {
  logger: Logger;
  /** Finishes the work in flight and closes every connection. */
  stop(): Promise<void>;
}

/**
 * The life of an app's process: start it, stop it gracefully on SIGTERM or SIGINT, and leave
 * anyway after `stopTimeoutMs` if something hangs (uncommitted work is redelivered, never
 * lost). A start-up failure exits 1; a configuration problem says what, without a stack trace.
 */
export function runService(options: {
  name: string;
  start: () => Promise<RunningService>;
  stopTimeoutMs: number;
  stoppingMessage: string;
}): void {
  const main = async () => {
    const service = await options.start();
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      service.logger.info({ signal }, options.stoppingMessage);
      setTimeout(() => process.exit(1), options.stopTimeoutMs).unref();
      service.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          service.logger.error({ err: error }, 'error while stopping');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  };
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else console.error(`${options.name} failed to start:`, error);
    process.exit(1);
  });
}
