import 'reflect-metadata';
import { runService } from '@app/observability';
import { startOpsConsole } from './bootstrap';

runService({
  name: 'ops-console',
  start: () => startOpsConsole(),
  // A dead-letter page may be reading for a few seconds; nothing is lost if it is cut short.
  stopTimeoutMs: 15_000,
  stoppingMessage: 'stopping: finishing the pages in flight',
});
