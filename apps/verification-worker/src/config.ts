import { z } from 'zod';
import { loadConfig, logLevel, type Environment } from '@app/config';
import { kafkaEnvSchema } from '@app/messaging';
import { mongoEnvSchema } from '@app/persistence';

const workerEnvSchema = kafkaEnvSchema.extend(mongoEnvSchema.shape).extend({
  LOG_LEVEL: logLevel,
  CONSUMER_GROUP: z.string().min(1).default('connect-provisioning.verification-worker'),
});

export type WorkerConfig = z.output<typeof workerEnvSchema>;

export function loadWorkerConfig(env: Environment = process.env): WorkerConfig {
  return loadConfig(workerEnvSchema, env);
}
