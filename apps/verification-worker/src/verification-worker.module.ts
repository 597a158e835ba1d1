import { Global, Module } from '@nestjs/common';
import { OutboxRelay } from '@app/messaging';
import {
  EmailVerifiedLogRepository,
  ProcessedEventRepository,
  RequestProgressRepository,
  UserStateRepository,
  VerificationLinkRepository,
} from '@app/persistence';
import {
  outboxRelayProvider,
  outcomeCounterProvider,
  repositoryProvider,
  SERVICE_CONFIG,
} from '@app/service-runtime';
import { RecordVerificationRequest } from '@app/verification';
import type { WorkerConfig } from './config';
import { LinkerModule } from './linker.module';
import { MailStepModule } from './mail-step.module';
import { DECISION_OUTCOMES, VerificationRequestedHandler } from './verification-requested.handler';

const STORES = [
  repositoryProvider(UserStateRepository, (c) => new UserStateRepository(c)),
  repositoryProvider(RequestProgressRepository, (c) => new RequestProgressRepository(c)),
  repositoryProvider(EmailVerifiedLogRepository, (c) => new EmailVerifiedLogRepository(c)),
  repositoryProvider(
    ProcessedEventRepository,
    (c, config: WorkerConfig) =>
      new ProcessedEventRepository(c, { retentionDays: config.PROCESSED_EVENTS_RETENTION_DAYS }),
  ),
  repositoryProvider(
    VerificationLinkRepository,
    (c, config: WorkerConfig) =>
      new VerificationLinkRepository(c, { retentionDays: config.LINK_RETENTION_DAYS }),
  ),
  outboxRelayProvider([UserStateRepository, RequestProgressRepository], (states, progress) => [
    states.outbox,
    progress.outbox,
    progress.partsOutbox,
  ]),
];

/** The stores and the outbox, shared by the worker's three consumer groups. */
@Global()
@Module({ providers: STORES, exports: STORES.map((p) => p.provide) })
class WorkerStoresModule {}

/** The decisions: the worker's main consumer group. */
@Module({
  controllers: [VerificationRequestedHandler],
  providers: [
    outcomeCounterProvider(DECISION_OUTCOMES),
    {
      provide: RecordVerificationRequest,
      useFactory: (
        states: UserStateRepository,
        progress: RequestProgressRepository,
        outbox: OutboxRelay,
        config: WorkerConfig,
      ) =>
        new RecordVerificationRequest(
          states,
          progress,
          { coolDownMs: config.VERIFICATION_COOLDOWN_MS },
          (batch) => outbox.flush(batch),
        ),
      inject: [UserStateRepository, RequestProgressRepository, OutboxRelay, SERVICE_CONFIG],
    },
  ],
})
class DecisionModule {}

@Module({ imports: [WorkerStoresModule, DecisionModule, MailStepModule, LinkerModule] })
export class VerificationWorkerModule {}
