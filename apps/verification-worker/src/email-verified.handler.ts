import { Controller, Inject } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { CloudEvent } from '@app/contracts';
import { eventCause, OnEvent, OutboxRelay } from '@app/messaging';
import { OutcomeCounter } from '@app/observability';
import { LinkVismaConnect } from '@app/verification';
import { EVENT_SOURCE } from './verification-requested.handler';

/** Counted for /metrics by this handler. */
export const VERIFICATION_OUTCOMES = {
  name: 'connect_email_verifications_total',
  help: 'EmailVerified events, by what the linker did: linked, or why not',
  label: 'outcome',
};

/** Translates EmailVerified into the linker and publishes the link it made. */
@Controller()
export class EmailVerifiedHandler {
  constructor(
    @Inject(LinkVismaConnect) private readonly linker: LinkVismaConnect,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
    @Inject(OutcomeCounter) private readonly outcomes: OutcomeCounter,
    private readonly logger: PinoLogger,
  ) {}

  @OnEvent('EmailVerified')
  async handle(event: CloudEvent<'EmailVerified'>): Promise<void> {
    const { tenantId, userId, method } = event.data;
    const { outcome, published } = await this.linker.execute(
      event.data,
      eventCause(event, EVENT_SOURCE),
    );
    if (published) await this.outbox.flush(published);
    this.outcomes.inc(outcome);
    const log = { eventId: event.id, tenantId, userId, method, outcome };
    if (outcome === 'stale' || outcome === 'unknown_user')
      this.logger.warn(log, 'email verification ignored');
    else this.logger.info(log, 'email verification handled');
  }
}
