import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { ImportSheetFiles } from '@app/import-files';
import { OutboxRelay } from '@app/messaging';
import {
  ProcessedEventRepository,
  UserImportRepository,
  UserStateRepository,
} from '@app/persistence';
import { LOGGER, outcomeCounterProvider, SERVICE_CONFIG, StoresModule } from '@app/service-runtime';
import { RunUserImport } from '@app/user-import';
import { type ImportWorkerConfig, importLocationsFrom } from './config';
import {
  EVENT_SOURCE,
  IMPORT_ROW_OUTCOMES,
  UserImportUploadedHandler,
} from './user-import-uploaded.handler';

function sheetFiles(config: ImportWorkerConfig): ImportSheetFiles {
  return new ImportSheetFiles({
    maxBytes: config.IMPORT_MAX_BYTES,
    fetchTimeoutMs: config.IMPORT_FETCH_TIMEOUT_MS,
    locations: importLocationsFrom(config),
    limits: {
      maxRows: config.IMPORT_MAX_ROWS,
      maxMemoryMb: config.IMPORT_XLSX_MAX_MEMORY_MB,
      timeoutMs: config.IMPORT_XLSX_TIME_LIMIT_MS,
      maxUnzippedMb: config.IMPORT_XLSX_MAX_UNZIPPED_MB,
      maxCellChars: config.IMPORT_MAX_CELL_CHARS,
      maxColumns: config.IMPORT_MAX_COLUMNS,
    },
    reportDir: config.IMPORT_REPORT_DIR,
  });
}

function runImport(
  config: ImportWorkerConfig,
  log: Logger,
  states: UserStateRepository,
  imports: UserImportRepository,
  outbox: OutboxRelay,
): RunUserImport {
  return new RunUserImport(sheetFiles(config), states, imports, (batch) => outbox.flush(batch), {
    source: EVENT_SOURCE,
    batchSize: config.IMPORT_BATCH_SIZE,
    usersPerRequest: 1000,
    onProgress: ({ importId, applied, rows }) =>
      log.info({ importId, applied, rows }, 'import progress'),
  });
}

const STORES = StoresModule.forFeature({
  stores: [UserStateRepository, UserImportRepository, ProcessedEventRepository],
  outboxes: (store) => [store(UserStateRepository).outbox, store(UserImportRepository).outbox],
});

@Module({
  imports: [STORES],
  controllers: [UserImportUploadedHandler],
  providers: [
    outcomeCounterProvider(IMPORT_ROW_OUTCOMES),
    {
      provide: RunUserImport,
      useFactory: runImport,
      inject: [SERVICE_CONFIG, LOGGER, UserStateRepository, UserImportRepository, OutboxRelay],
    },
  ],
})
export class ImportWorkerModule {}
