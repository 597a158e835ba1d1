import { z } from 'zod';
import { loadConfig, logLevel, positiveInt, type Environment, portNumber } from '@app/config';
import { consumerEnvSchema, kafkaEnvSchema } from '@app/messaging';
import { mongoEnvSchema } from '@app/persistence';

const importEnvSchema = kafkaEnvSchema
  .extend(consumerEnvSchema.shape)
  .extend(mongoEnvSchema.shape)
  .extend({
    LOG_LEVEL: logLevel,
    // Its own variable, not CONSUMER_GROUP: a group shared with the verification worker would
    // hand import partitions to a process that has no handler for them.
    IMPORT_CONSUMER_GROUP: z.string().min(1).default('connect-provisioning.import-worker'),
    // Larger files fail the import as too_large before a row is read.
    IMPORT_MAX_BYTES: positiveInt(50 * 1024 * 1024),
    IMPORT_MAX_ROWS: positiveInt(200_000),
    // Heap of the thread that reads an XLSX file; a workbook that needs more fails cleanly.
    IMPORT_XLSX_MAX_MEMORY_MB: positiveInt(512),
    IMPORT_XLSX_TIME_LIMIT_MS: positiveInt(5 * 60_000),
    IMPORT_FETCH_TIMEOUT_MS: positiveInt(60_000),
    IMPORT_BATCH_SIZE: positiveInt(500),
    // Reports for administrators; completions point at them with a file:// URI.
    IMPORT_REPORT_DIR: z.string().trim().min(1).default('.import-reports'),
    HEALTH_PORT: portNumber(8083),
  });

export type ImportWorkerConfig = z.output<typeof importEnvSchema>;

export function loadImportWorkerConfig(env: Environment = process.env): ImportWorkerConfig {
  return loadConfig(importEnvSchema, env);
}
