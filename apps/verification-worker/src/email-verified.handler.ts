import { Controller, Inject } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { CloudEvent } from '@app/contracts';
import { OnEvent, OutboxRelay } from '@app/messaging';
import { LinkVismaConnect } from '@app/verification';
import { EVENT_SOURCE } from './verification-requested.handler';

/** Translates EmailVerified into the linker and publishes the link it made. */
@Controller()
export class EmailVerifiedHandler {
  constructor(
    @Inject(LinkVismaConnect) private readonly linker: LinkVismaConnect,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
    private readonly logger: PinoLogger,
  ) {}

  @OnEvent('EmailVerified')
  async handle(event: CloudEvent<'EmailVerified'>): Promise<void> {
    const { tenantId, userId, method } = event.data;
    const { outcome, published } = await this.linker.execute(event.data, {
      eventId: event.id,
      source: EVENT_SOURCE,
      at: new Date(),
    });
    if (published) await this.outbox.flush(published);
    const log = { eventId: event.id, tenantId, userId, method, outcome };
    if (outcome === 'stale' || outcome === 'unknown_user')
      this.logger.warn(log, 'email verification ignored');
    else this.logger.info(log, 'email verification handled');
  }
}
