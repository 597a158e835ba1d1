import { Module } from '@nestjs/common';
import { EventPublisher, OutboxRelay } from '@app/messaging';
import {
  EmailVerifiedLogRepository,
  MailDeliveryRepository,
  ProcessedEventRepository,
  RequestProgressRepository,
  UserStateRepository,
  VerificationLinkRepository,
} from '@app/persistence';
import { outcomeCounterProvider, SERVICE_CONFIG, StoresModule } from '@app/service-runtime';
import { RecordVerificationRequest } from '@app/verification';
import type { WorkerConfig } from './config';
import { LinkerModule } from './linker.module';
import { MailStepModule } from './mail-step.module';
import { DECISION_OUTCOMES, VerificationRequestedHandler } from './verification-requested.handler';

/** The stores and the outbox, shared by the worker's three consumer groups. */
const STORES = StoresModule.forFeature({
  stores: [
    UserStateRepository,
    RequestProgressRepository,
    EmailVerifiedLogRepository,
    ProcessedEventRepository,
    VerificationLinkRepository,
    MailDeliveryRepository,
  ],
  outboxes: (store) => [
    store(UserStateRepository).outbox,
    store(RequestProgressRepository).outbox,
    store(RequestProgressRepository).partsOutbox,
  ],
});

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
        publisher: EventPublisher,
        config: WorkerConfig,
      ) =>
        new RecordVerificationRequest(
          states,
          progress,
          { coolDownMs: config.VERIFICATION_COOLDOWN_MS },
          (batch) => outbox.flush(batch),
          (handOffs) => publisher.publish(handOffs),
          { interactiveMaxUsers: config.MAIL_INTERACTIVE_MAX_USERS },
        ),
      inject: [
        UserStateRepository,
        RequestProgressRepository,
        OutboxRelay,
        EventPublisher,
        SERVICE_CONFIG,
      ],
    },
  ],
})
class DecisionModule {}

@Module({ imports: [STORES, DecisionModule, MailStepModule, LinkerModule] })
export class VerificationWorkerModule {}
