import 'reflect-metadata';
import { ConfigError } from '@app/config';
import { startImportWorker } from './bootstrap';

const STOP_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  const worker = await startImportWorker();
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    worker.logger.info({ signal }, 'stopping: finishing the work in flight');
    // If something hangs, leave anyway: uncommitted work is redelivered, never lost.
    setTimeout(() => process.exit(1), STOP_TIMEOUT_MS).unref();
    worker.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        worker.logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  // Configuration problems are the operator's to fix: say what, without a stack trace.
  if (error instanceof ConfigError) console.error(error.message);
  else console.error('import-worker failed to start:', error);
  process.exit(1);
});
