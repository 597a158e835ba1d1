import { type DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { OutboxRelay } from '@app/messaging';
import { ObservabilityModule } from '@app/observability';
import { RunUserImport } from '@app/user-import';
import { UserImportUploadedHandler } from './user-import-uploaded.handler';

@Module({})
export class ImportWorkerModule {
  static register(resources: {
    logger: Logger;
    outbox: OutboxRelay;
    runImport: RunUserImport;
  }): DynamicModule {
    return {
      module: ImportWorkerModule,
      imports: [ObservabilityModule.forRoot(resources.logger)],
      controllers: [UserImportUploadedHandler],
      providers: [
        { provide: OutboxRelay, useValue: resources.outbox },
        { provide: RunUserImport, useValue: resources.runImport },
      ],
    };
  }
}
