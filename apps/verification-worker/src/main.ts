import 'reflect-metadata';
import { ConfigError } from '@app/config';
import { startVerificationWorker } from './bootstrap';

startVerificationWorker().catch((error: unknown) => {
  // Configuration problems are the operator's to fix: say what, without a stack trace.
  if (error instanceof ConfigError) console.error(error.message);
  else console.error('verification-worker failed to start:', error);
  process.exit(1);
});
