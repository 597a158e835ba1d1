import type { Logger } from 'pino';
import { BULK_LANE, laneTopicsOf } from '@app/contracts';
import { MeteredMailTransport } from '@app/mail';
import { type ConsumerSettings, type TopicMap, topicsOfConsumer } from '@app/messaging';
import { ProcessedEventRepository } from '@app/persistence';
import {
  closeOnStop,
  consumerGroup,
  LOGGER,
  type StartStep,
  sweepOutbox,
} from '@app/service-runtime';
import type { WorkerConfig } from './config';

/** An interactive batch's mails share the connections with the bulk's: a few at a time. */
const INTERACTIVE_MAX_BATCH = 20;

/** What the worker reads (with its retry topics) and writes. */
export function workerTopics(consumer: ConsumerSettings): (t: TopicMap) => string[] {
  const retried = (topic: string) => topicsOfConsumer(topic, consumer.retry.delaysMs.length);
  return (t) => [
    ...retried(t.VerificationRequested),
    t.VerificationStatusChanged,
    t.VerificationBatchCompleted,
    ...retried(t.VerificationMailRequested),
    ...laneTopicsOf(t).flatMap(retried),
    ...retried(t.EmailVerified),
    t.VismaConnectLinked,
  ];
}

/**
 * Five consumer groups, so that a small request is never decided after another tenant's bulk
 * parts (the bulk decisions read the bulk lane), so that a slow SMTP server never stalls decisions, a big bulk request
 * never delays a link, and a small request's mails never queue behind a bulk one's (the
 * interactive lane: its own topic and group, sharing the mail step's SMTP connections and
 * their permits, first in line at both). Stopped in reverse: outbox sweep, linker, the mail
 * steps, SMTP, the bulk decisions, decisions (each finishing its chunk in flight), then the
 * connections.
 */
export function workerSteps(config: WorkerConfig, consumer: ConsumerSettings): StartStep[] {
  const processed = ProcessedEventRepository;
  const mailStep = consumerGroup({
    name: 'mail step',
    events: ['VerificationMailRequested'],
    consumer: {
      ...consumer,
      groupId: config.MAIL_CONSUMER_GROUP,
      maxBatch: config.MAIL_MAX_BATCH,
      minFetchBytes: config.MAIL_FETCH_MIN_BYTES,
    },
    processed,
  });
  // Few mails at a time and no wait for bytes to gather: what it carries is someone waiting.
  const interactiveMailStep = consumerGroup({
    name: 'interactive mail step',
    events: ['VerificationMailRequested'],
    lane: 'interactive',
    consumer: {
      ...consumer,
      groupId: config.MAIL_INTERACTIVE_CONSUMER_GROUP,
      maxBatch: Math.min(config.MAIL_MAX_BATCH, INTERACTIVE_MAX_BATCH),
    },
    processed,
  });
  const noMailStep: StartStep = async (app) =>
    app
      .get<Logger>(LOGGER)
      .warn('MAIL_STEP is off: nothing consumes VerificationMailRequested, no mail is sent');
  // Small requests are decided where they arrive; bulk ones are passed on to the bulk lane and
  // decided by a group of their own (VerificationRequestedHandler).
  const bulkDecisions = consumerGroup({
    name: 'bulk decisions',
    events: ['VerificationRequested'],
    lane: BULK_LANE,
    consumer: { ...consumer, groupId: config.BULK_DECISIONS_CONSUMER_GROUP },
    processed,
  });
  return [
    consumerGroup({ name: 'decisions', events: ['VerificationRequested'], consumer, processed }),
    bulkDecisions,
    closeOnStop('smtp', MeteredMailTransport),
    ...(config.MAIL_STEP === 'on' ? [mailStep, interactiveMailStep] : [noMailStep]),
    consumerGroup({
      name: 'linker',
      events: ['EmailVerified'],
      consumer: { ...consumer, groupId: config.LINKER_CONSUMER_GROUP },
      processed,
    }),
    sweepOutbox(),
  ];
}
