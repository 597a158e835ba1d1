import { consumerSettingsFrom } from '@app/messaging';
import { defineService } from '@app/service-runtime';
import { DEFAULT_CONSUMER_GROUP, loadWorkerConfig, type WorkerConfig } from './config';
import { workerSteps, workerTopics } from './consumer-groups';
import { VerificationWorkerModule } from './verification-worker.module';

const decisions = (config: WorkerConfig) => consumerSettingsFrom(config, DEFAULT_CONSUMER_GROUP);

/** The worker: decisions, mails and links, each its own consumer group. */
export const startVerificationWorker = defineService({
  service: 'verification-worker',
  loadConfig: loadWorkerConfig,
  module: VerificationWorkerModule,
  topics: (t, config) => workerTopics(decisions(config))(t),
  steps: (config) => workerSteps(config, decisions(config)),
  started: {
    message: 'verification worker started',
    fields: (config) => ({
      groupId: decisions(config).groupId,
      bulkGroupId: config.BULK_DECISIONS_CONSUMER_GROUP,
      mailGroupId: config.MAIL_STEP === 'on' ? config.MAIL_CONSUMER_GROUP : null,
      linkerGroupId: config.LINKER_CONSUMER_GROUP,
    }),
  },
});

export type { RunningService as RunningWorker } from '@app/service-runtime';
