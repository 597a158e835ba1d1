import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { loadConfig, positiveInt, type Environment } from '@app/config';
import { type ImportLocations, isHostPattern } from '@app/import-files';
import ipaddr from 'ipaddr.js';
import { consumerEnvSchema } from '@app/messaging';
import { serviceEnvSchema } from '@app/service-runtime';

const importEnvSchema = serviceEnvSchema(8083)
  .extend(consumerEnvSchema.shape)
  .extend({
    // Its own variable, not CONSUMER_GROUP: a group shared with the verification worker would
    // hand import partitions to a process that has no handler for them.
    IMPORT_CONSUMER_GROUP: z.string().min(1).default('connect-provisioning.import-worker'),
    // Larger files fail the import as too_large before a row is read.
    IMPORT_MAX_BYTES: positiveInt(50 * 1024 * 1024),
    IMPORT_MAX_ROWS: positiveInt(200_000),
    // Heap of the thread that reads an XLSX file; a workbook that needs more fails cleanly.
    IMPORT_XLSX_MAX_MEMORY_MB: positiveInt(512),
    IMPORT_XLSX_TIME_LIMIT_MS: positiveInt(5 * 60_000),
    // What all of a workbook's zip entries may inflate to: a zip bomb stops here.
    IMPORT_XLSX_MAX_UNZIPPED_MB: positiveInt(256),
    // An HRM cell is short and a template row narrow; more is a broken or hostile file.
    IMPORT_MAX_CELL_CHARS: positiveInt(1000),
    IMPORT_MAX_COLUMNS: positiveInt(100),
    IMPORT_FETCH_TIMEOUT_MS: positiveInt(60_000),
    IMPORT_BATCH_SIZE: positiveInt(500),
    // Reports for administrators; completions point at them with a file:// URI.
    IMPORT_REPORT_DIR: z.string().trim().min(1).default('.import-reports'),
    // Where uploads may come from (docs/design/user-import.md, "Where files come from").
    IMPORT_FILE_URIS: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
    IMPORT_FILE_ROOTS: listOf(isAbsolute, 'must list absolute folders, comma-separated'),
    IMPORT_FILE_LAYOUT: z
      .enum(['per-tenant', 'flat'], { error: 'must be per-tenant or flat' })
      .default('per-tenant'),
    IMPORT_ALLOWED_HOSTS: listOf(
      isHostPattern,
      'must list lower-case host names or *.domain patterns, comma-separated',
    ),
    // Tests only: their https server listens on loopback.
    IMPORT_ALLOW_PRIVATE_ADDRESSES: listOf(
      (a) => ipaddr.isValid(a),
      'must list IP addresses, comma-separated',
    ),
  })
  .superRefine((config, ctx) => {
    if (config.IMPORT_FILE_URIS === 'on' && config.IMPORT_FILE_ROOTS.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['IMPORT_FILE_ROOTS'],
        message:
          'must name at least one upload folder while IMPORT_FILE_URIS=on (or set IMPORT_FILE_URIS=off for https:// uploads only)',
      });
  });

export type ImportWorkerConfig = z.output<typeof importEnvSchema>;

/** A comma-separated list, possibly empty, whose every entry passes `valid`. */
function listOf(valid: (entry: string) => boolean, message: string) {
  return z
    .string()
    .optional()
    .transform((raw) =>
      (raw ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((list) => list.every(valid), { message });
}

/** The upload roots and hosts the worker may read from, as the file layer takes them. */
export function importLocationsFrom(config: ImportWorkerConfig): ImportLocations {
  return {
    ...(config.IMPORT_FILE_URIS === 'on'
      ? { files: { roots: config.IMPORT_FILE_ROOTS, layout: config.IMPORT_FILE_LAYOUT } }
      : {}),
    https: {
      allowedHosts: config.IMPORT_ALLOWED_HOSTS,
      allowPrivateAddresses: config.IMPORT_ALLOW_PRIVATE_ADDRESSES,
    },
  };
}

export function loadImportWorkerConfig(env: Environment = process.env): ImportWorkerConfig {
  return loadConfig(importEnvSchema, env);
}
