import 'reflect-metadata';
import { runService } from '@app/observability';
import { startImportWorker } from './bootstrap';

runService({
  name: 'import-worker',
  start: () => startImportWorker(),
  stopTimeoutMs: 30_000,
  stoppingMessage: 'stopping: finishing the work in flight',
});
