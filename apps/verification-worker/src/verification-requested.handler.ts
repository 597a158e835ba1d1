import { Controller, Inject } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { CloudEvent } from '@app/contracts';
import { OnEvent, OutboxRelay } from '@app/messaging';
import { RecordVerificationRequest } from '@app/verification';

export const EVENT_SOURCE = '/connect-provisioning/verification-worker';

/** Translates VerificationRequested into the domain's use case and publishes what it saved. */
@Controller()
export class VerificationRequestedHandler {
  constructor(
    @Inject(RecordVerificationRequest) private readonly recordRequest: RecordVerificationRequest,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
    private readonly logger: PinoLogger,
  ) {}

  @OnEvent('VerificationRequested')
  async handle(event: CloudEvent<'VerificationRequested'>): Promise<void> {
    const { requestId, tenantId, part } = event.data;
    const { changes, outbox } = await this.recordRequest.execute(event.data, {
      eventId: event.id,
      source: EVENT_SOURCE,
      at: new Date(),
    });
    await this.outbox.flush(outbox);
    this.logger.info(
      {
        eventId: event.id,
        requestId,
        tenantId,
        part,
        users: event.data.users.length,
        changed: changes.length,
      },
      'verification request recorded',
    );
  }
}
