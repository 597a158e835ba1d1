import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import type { CloudEvent } from '@app/contracts';
import { type BatchFailures, type EventContext, OnEventBatch, OutboxRelay } from '@app/messaging';
import { OutcomeCounter } from '@app/observability';
import { type MailOutcome, SendVerificationMails } from '@app/verification';

/** Counted for /metrics by this handler. */
export const MAIL_OUTCOMES = {
  name: 'connect_verification_mails_total',
  help: 'Verification mails handled, by outcome: sent, failed, or why none was needed',
  label: 'outcome',
};

/**
 * The mail step: a batch of due verification mails per call, so its reads and writes are
 * batched too. Mails that may go through later are handed back to the retry topics.
 */
@Controller()
export class VerificationMailRequestedHandler {
  constructor(
    @Inject(SendVerificationMails) private readonly sendMails: SendVerificationMails,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
    @Inject(OutcomeCounter) private readonly outcomes: OutcomeCounter,
    private readonly logger: PinoLogger,
  ) {}

  @OnEventBatch('VerificationMailRequested')
  async handle(
    @Payload() events: CloudEvent<'VerificationMailRequested'>[],
    @Ctx() context: EventContext,
  ): Promise<BatchFailures> {
    const result = await this.sendMails.execute(
      events.map((e) => ({ eventId: e.id, data: e.data, finalAttempt: context.finalAttempt })),
      new Date(),
    );
    for (const batch of result.outbox) await this.outbox.flush(batch);
    const outcomes = countOutcomes(result.outcomes);
    this.outcomes.add(outcomes);
    this.logger.info(
      {
        events: events.length,
        attempt: context.attempt,
        requestIds: [...new Set(events.map((e) => e.data.requestId))].slice(0, 10),
        outcomes,
        retrying: result.retry.size,
      },
      'verification mails handled',
    );
    return result.retry;
  }
}

/** e.g. { sent: 98, failed: 1, already_settled: 1 }: the batch in one log line. */
function countOutcomes(outcomes: ReadonlyMap<string, MailOutcome>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes.values()) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}
