import { logLevel, portNumber } from '@app/config';
import { kafkaEnvSchema } from '@app/messaging';
import { mongoEnvSchema } from '@app/persistence';

/**
 * The settings of the skeleton every service runs on (broker, database, log level, health
 * port); each app extends it with its own. The health port's default differs per app, so
 * that the local stack runs them side by side.
 */
export const serviceEnvSchema = (defaultHealthPort: number) =>
  kafkaEnvSchema.extend(mongoEnvSchema.shape).extend({
    LOG_LEVEL: logLevel,
    HEALTH_PORT: portNumber(defaultHealthPort),
  });
