import { type DynamicModule, Module } from '@nestjs/common';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { EventPublisher } from '@app/messaging';
import { ObservabilityModule } from '@app/observability';
import { UserStateRepository } from '@app/persistence';
import { RecordVerificationRequest } from '@app/verification';
import { VerificationRequestedHandler } from './verification-requested.handler';

/** What main.ts connected before Nest starts: the module only wires it together. */
export interface WorkerResources {
  logger: Logger;
  connection: Connection;
  publisher: EventPublisher;
}

@Module({})
export class VerificationWorkerModule {
  static register(resources: WorkerResources): DynamicModule {
    return {
      module: VerificationWorkerModule,
      imports: [ObservabilityModule.forRoot(resources.logger)],
      controllers: [VerificationRequestedHandler],
      providers: [
        { provide: EventPublisher, useValue: resources.publisher },
        {
          provide: UserStateRepository,
          useFactory: async () => {
            const repository = new UserStateRepository(resources.connection);
            await repository.init();
            return repository;
          },
        },
        {
          provide: RecordVerificationRequest,
          inject: [UserStateRepository],
          useFactory: (repository: UserStateRepository) =>
            new RecordVerificationRequest(repository),
        },
      ],
    };
  }
}
