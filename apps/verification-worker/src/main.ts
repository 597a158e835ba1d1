import 'reflect-metadata';
import { runService } from '@app/observability';
import { startVerificationWorker } from './bootstrap';

runService({
  name: 'verification-worker',
  start: () => startVerificationWorker(),
  stopTimeoutMs: 30_000,
  stoppingMessage: 'stopping: finishing the work in flight',
});
