import type { Logger } from 'pino';
import type { Environment } from '@app/config';
import { consumerSettingsFrom, topicsOfConsumer } from '@app/messaging';
import { ProcessedEventRepository } from '@app/persistence';
import {
  consumerGroup,
  type RunningService,
  startService,
  sweepOutbox,
} from '@app/service-runtime';
import { loadImportWorkerConfig } from './config';
import { ImportWorkerModule } from './import-worker.module';

export type RunningImportWorker = RunningService;

const SERVICE = 'import-worker';

/** Starts the import worker: one consumer group reading the uploads. */
export async function startImportWorker(
  env: Environment = process.env,
  logger?: Logger,
): Promise<RunningImportWorker> {
  const config = loadImportWorkerConfig(env);
  const groupId = config.IMPORT_CONSUMER_GROUP;
  const consumer = { ...consumerSettingsFrom(config, groupId), groupId };
  return startService({
    service: SERVICE,
    config,
    logger,
    module: ImportWorkerModule,
    topics: (t) => [
      ...topicsOfConsumer(t.UserImportUploaded, consumer.retry.delaysMs.length),
      t.UserImportCompleted,
      t.VerificationStatusChanged,
      t.VerificationRequested,
    ],
    // Stopped in reverse: health, outbox sweep, the consumer (finishing its chunk), connections.
    steps: [
      consumerGroup({
        name: 'imports',
        events: ['UserImportUploaded'],
        consumer,
        processed: ProcessedEventRepository,
      }),
      sweepOutbox(),
    ],
    started: { message: 'import worker started', fields: () => ({ groupId }) },
  });
}
