import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { BULK_LANE, type CloudEvent } from '@app/contracts';
import {
  type EventContext,
  eventCause,
  EventPublisher,
  OnEvent,
  OutboxRelay,
} from '@app/messaging';
import { OutcomeCounter } from '@app/observability';
import { RecordVerificationRequest, type UserOutcome } from '@app/verification';

export const EVENT_SOURCE = '/connect-provisioning/verification-worker';

/** Counted for /metrics by this handler. */
export const DECISION_OUTCOMES = {
  name: 'connect_verification_decisions_total',
  help: 'Users of verification requests, by decision: send, or why they were skipped',
  label: 'outcome',
};

/**
 * Translates VerificationRequested into the domain's use case and publishes what it saved. On
 * the request topic, a bulk request is passed on to the bulk lane instead (milliseconds, where
 * deciding a part of 1,000 users takes about 0.3 s), and decided when the bulk decisions group
 * reads it there: a small request never waits for another tenant's parts on its partition.
 */
@Controller()
export class VerificationRequestedHandler {
  constructor(
    @Inject(RecordVerificationRequest) private readonly recordRequest: RecordVerificationRequest,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
    @Inject(OutcomeCounter) private readonly outcomes: OutcomeCounter,
    private readonly logger: PinoLogger,
  ) {}

  @OnEvent('VerificationRequested')
  async handle(
    @Payload() event: CloudEvent<'VerificationRequested'>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    const { requestId, tenantId, part } = event.data;
    if (context.lane !== BULK_LANE && !this.recordRequest.isInteractive(event.data)) {
      await this.publisher.passOn([event], BULK_LANE);
      this.logger.debug({ eventId: event.id, requestId, tenantId, part }, 'passed on to bulk lane');
      return;
    }
    const { changes, outcomes, completion } = await this.recordRequest.execute(
      event.data,
      eventCause(event, EVENT_SOURCE),
    );
    if (completion) await this.outbox.flush(completion);
    const decided = countOutcomes(outcomes);
    this.outcomes.add(decided);
    this.logger.info(
      {
        eventId: event.id,
        requestId,
        tenantId,
        part,
        users: event.data.users.length,
        changed: changes.length,
        outcomes: decided,
        completed: completion !== undefined,
      },
      'verification request recorded',
    );
  }
}

/** e.g. { send: 3, no_email: 1 }: how the part was decided, for the log line. */
function countOutcomes(outcomes: readonly UserOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { decision } of outcomes) {
    const key = decision.kind === 'send' ? 'send' : decision.reason;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
