import 'reflect-metadata';
import { ConfigError } from '@app/config';
import { startVerificationPage } from './bootstrap';

const STOP_TIMEOUT_MS = 15_000;

async function main(): Promise<void> {
  const page = await startVerificationPage();
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    page.logger.info({ signal }, 'stopping: finishing the requests in flight');
    setTimeout(() => process.exit(1), STOP_TIMEOUT_MS).unref();
    page.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        page.logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error('verification-page failed to start:', error);
  process.exit(1);
});
