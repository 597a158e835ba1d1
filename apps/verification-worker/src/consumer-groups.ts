import type { Logger } from 'pino';
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

/** What the worker reads (with its retry topics) and writes. */
export function workerTopics(consumer: ConsumerSettings): (t: TopicMap) => string[] {
  const retried = (topic: string) => topicsOfConsumer(topic, consumer.retry.delaysMs.length);
  return (t) => [
    ...retried(t.VerificationRequested),
    t.VerificationStatusChanged,
    t.VerificationBatchCompleted,
    ...retried(t.VerificationMailRequested),
    ...retried(t.EmailVerified),
    t.VismaConnectLinked,
  ];
}

/**
 * Three consumer groups, so that a slow SMTP server never stalls decisions and a big bulk
 * request never delays a link. Stopped in reverse: outbox sweep, linker, mail step, SMTP,
 * decisions (each finishing its chunk in flight), then the connections.
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
  const noMailStep: StartStep = async (app) =>
    app
      .get<Logger>(LOGGER)
      .warn('MAIL_STEP is off: nothing consumes VerificationMailRequested, no mail is sent');
  return [
    consumerGroup({ name: 'decisions', events: ['VerificationRequested'], consumer, processed }),
    closeOnStop('smtp', MeteredMailTransport),
    config.MAIL_STEP === 'on' ? mailStep : noMailStep,
    consumerGroup({
      name: 'linker',
      events: ['EmailVerified'],
      consumer: { ...consumer, groupId: config.LINKER_CONSUMER_GROUP },
      processed,
    }),
    sweepOutbox(),
  ];
}
