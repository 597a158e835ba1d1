import { type DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { OutboxRelay } from '@app/messaging';
import { ObservabilityModule, OutcomeCounter } from '@app/observability';
import { RequestProgressRepository, UserStateRepository } from '@app/persistence';
import { RecordVerificationRequest } from '@app/verification';
import { VerificationRequestedHandler } from './verification-requested.handler';

/** What bootstrap connected before Nest starts: the module only wires it together. */
export interface WorkerResources {
  logger: Logger;
  userStates: UserStateRepository;
  progress: RequestProgressRepository;
  outbox: OutboxRelay;
  coolDownMs: number;
  /** Users decided, by outcome, for /metrics. */
  outcomes: OutcomeCounter;
}

@Module({})
export class VerificationWorkerModule {
  static register(resources: WorkerResources): DynamicModule {
    return {
      module: VerificationWorkerModule,
      imports: [ObservabilityModule.forRoot(resources.logger)],
      controllers: [VerificationRequestedHandler],
      providers: [
        { provide: OutboxRelay, useValue: resources.outbox },
        { provide: OutcomeCounter, useValue: resources.outcomes },
        {
          provide: RecordVerificationRequest,
          useValue: new RecordVerificationRequest(
            resources.userStates,
            resources.progress,
            { coolDownMs: resources.coolDownMs },
            (batch) => resources.outbox.flush(batch),
          ),
        },
      ],
    };
  }
}
