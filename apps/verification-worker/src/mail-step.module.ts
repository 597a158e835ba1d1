import { type DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { OutboxRelay } from '@app/messaging';
import { ObservabilityModule, OutcomeCounter } from '@app/observability';
import { SendVerificationMails } from '@app/verification';
import { VerificationMailRequestedHandler } from './verification-mail-requested.handler';

/** The mail step runs in its own consumer group, so a slow SMTP server never stalls decisions. */
@Module({})
export class MailStepModule {
  static register(resources: {
    logger: Logger;
    outbox: OutboxRelay;
    outcomes: OutcomeCounter;
    sendMails: SendVerificationMails;
  }): DynamicModule {
    return {
      module: MailStepModule,
      imports: [ObservabilityModule.forRoot(resources.logger)],
      controllers: [VerificationMailRequestedHandler],
      providers: [
        { provide: OutboxRelay, useValue: resources.outbox },
        { provide: OutcomeCounter, useValue: resources.outcomes },
        { provide: SendVerificationMails, useValue: resources.sendMails },
      ],
    };
  }
}
