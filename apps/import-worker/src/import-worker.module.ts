import { type DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { OutboxRelay } from '@app/messaging';
import { ObservabilityModule, OutcomeCounter } from '@app/observability';
import { RunUserImport } from '@app/user-import';
import { UserImportUploadedHandler } from './user-import-uploaded.handler';

@Module({})
export class ImportWorkerModule {
  static register(resources: {
    logger: Logger;
    outbox: OutboxRelay;
    outcomes: OutcomeCounter;
    runImport: RunUserImport;
  }): DynamicModule {
    return {
      module: ImportWorkerModule,
      imports: [ObservabilityModule.forRoot(resources.logger)],
      controllers: [UserImportUploadedHandler],
      providers: [
        { provide: OutboxRelay, useValue: resources.outbox },
        { provide: OutcomeCounter, useValue: resources.outcomes },
        { provide: RunUserImport, useValue: resources.runImport },
      ],
    };
  }
}
