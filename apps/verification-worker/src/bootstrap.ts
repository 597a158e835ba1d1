import type { Logger } from 'pino';
import type { Environment } from '@app/config';
import { consumerSettingsFrom } from '@app/messaging';
import { type RunningService, startService } from '@app/service-runtime';
import { DEFAULT_CONSUMER_GROUP, loadWorkerConfig } from './config';
import { workerSteps, workerTopics } from './consumer-groups';
import { VerificationWorkerModule } from './verification-worker.module';

export type RunningWorker = RunningService;

const SERVICE = 'verification-worker';

/** Starts the worker: decisions, mails and links, each its own consumer group. */
export async function startVerificationWorker(
  env: Environment = process.env,
  logger?: Logger,
): Promise<RunningWorker> {
  const config = loadWorkerConfig(env);
  const consumer = consumerSettingsFrom(config, DEFAULT_CONSUMER_GROUP);
  return startService({
    service: SERVICE,
    config,
    logger,
    module: VerificationWorkerModule,
    topics: workerTopics(consumer),
    steps: workerSteps(config, consumer),
    started: {
      message: 'verification worker started',
      fields: () => ({
        groupId: consumer.groupId,
        mailGroupId: config.MAIL_STEP === 'on' ? config.MAIL_CONSUMER_GROUP : null,
        linkerGroupId: config.LINKER_CONSUMER_GROUP,
      }),
    },
  });
}
