import { type DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { OutboxRelay } from '@app/messaging';
import { ObservabilityModule, OutcomeCounter } from '@app/observability';
import { LinkVismaConnect } from '@app/verification';
import { EmailVerifiedHandler } from './email-verified.handler';

/** The linker runs in its own consumer group: a big bulk request never delays a link. */
@Module({})
export class LinkerModule {
  static register(resources: {
    logger: Logger;
    outbox: OutboxRelay;
    outcomes: OutcomeCounter;
    linkVismaConnect: LinkVismaConnect;
  }): DynamicModule {
    return {
      module: LinkerModule,
      imports: [ObservabilityModule.forRoot(resources.logger)],
      controllers: [EmailVerifiedHandler],
      providers: [
        { provide: OutboxRelay, useValue: resources.outbox },
        { provide: OutcomeCounter, useValue: resources.outcomes },
        { provide: LinkVismaConnect, useValue: resources.linkVismaConnect },
      ],
    };
  }
}
