import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import type { CloudEvent } from '@app/contracts';
import { OnEvent, OutboxRelay } from '@app/messaging';
import { SendVerificationMail } from '@app/verification';
import { EVENT_SOURCE } from './verification-requested.handler';

/** The mail step: one due verification mail per event. */
@Controller()
export class VerificationMailRequestedHandler {
  constructor(
    @Inject(SendVerificationMail) private readonly sendMail: SendVerificationMail,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
    private readonly logger: PinoLogger,
  ) {}

  @OnEvent('VerificationMailRequested')
  async handle(@Payload() event: CloudEvent<'VerificationMailRequested'>): Promise<void> {
    const { requestId, tenantId, userId, sendId } = event.data;
    const result = await this.sendMail.execute(event.data, {
      eventId: event.id,
      source: EVENT_SOURCE,
      at: new Date(),
    });
    if (result.outbox) await this.outbox.flush(result.outbox);
    if (result.completion) await this.outbox.flush(result.completion);
    this.logger.info(
      {
        eventId: event.id,
        requestId,
        tenantId,
        userId,
        sendId,
        outcome: result.outcome,
        completed: result.completion !== undefined,
      },
      'verification mail handled',
    );
  }
}
