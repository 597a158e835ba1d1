import { consumerSettingsFrom, topicsOfConsumer } from '@app/messaging';
import { ProcessedEventRepository } from '@app/persistence';
import { consumerGroup, defineService, sweepOutbox } from '@app/service-runtime';
import { type ImportWorkerConfig, loadImportWorkerConfig } from './config';
import { ImportWorkerModule } from './import-worker.module';

const imports = (config: ImportWorkerConfig) => ({
  ...consumerSettingsFrom(config, config.IMPORT_CONSUMER_GROUP),
  groupId: config.IMPORT_CONSUMER_GROUP,
});

/** The import worker: one consumer group reading the uploads. */
export const startImportWorker = defineService({
  service: 'import-worker',
  loadConfig: loadImportWorkerConfig,
  module: ImportWorkerModule,
  topics: (t, config) => [
    ...topicsOfConsumer(t.UserImportUploaded, imports(config).retry.delaysMs.length),
    t.UserImportCompleted,
    t.VerificationStatusChanged,
    t.VerificationRequested,
  ],
  // Stopped in reverse: health, outbox sweep, the consumer (finishing its chunk), connections.
  steps: (config) => [
    consumerGroup({
      name: 'imports',
      events: ['UserImportUploaded'],
      consumer: imports(config),
      processed: ProcessedEventRepository,
    }),
    sweepOutbox(),
  ],
  started: {
    message: 'import worker started',
    fields: (config) => ({ groupId: config.IMPORT_CONSUMER_GROUP }),
  },
});

export type { RunningService as RunningImportWorker } from '@app/service-runtime';
