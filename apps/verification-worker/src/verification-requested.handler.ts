import { Controller, Inject } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { CloudEvent } from '@app/contracts';
import { EventPublisher } from '@app/messaging';
import { RecordVerificationRequest, statusChangedEvent } from '@app/verification';
import { PinoLogger } from 'nestjs-pino';

export const EVENT_SOURCE = '/connect-provisioning/verification-worker';

/** Translates VerificationRequested into the domain's use case and its results into events. */
@Controller()
export class VerificationRequestedHandler {
  constructor(
    @Inject(RecordVerificationRequest) private readonly recordRequest: RecordVerificationRequest,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
    private readonly logger: PinoLogger,
  ) {}

  @EventPattern('VerificationRequested')
  async handle(event: CloudEvent<'VerificationRequested'>): Promise<void> {
    const { requestId, tenantId, part } = event.data;
    const changes = await this.recordRequest.execute(event.data);
    const at = new Date();
    await this.publisher.publish(
      changes.map((change) =>
        statusChangedEvent(change, { eventId: event.id, source: EVENT_SOURCE, at }),
      ),
    );
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
