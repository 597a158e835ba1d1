import 'reflect-metadata';
import { runService } from '@app/observability';
import { startVerificationPage } from './bootstrap';

runService({
  name: 'verification-page',
  start: () => startVerificationPage(),
  stopTimeoutMs: 15_000,
  stoppingMessage: 'stopping: finishing the requests in flight',
});
