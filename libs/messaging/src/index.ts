export * from './kafka-env';
export * from './kafka-security';
export * from './create-kafka';
export * from './ensure-topics';
export * from './event-publisher';
export * from './errors';
export * from './headers';
export * from './retry-policy';
export * from './set-aside';
export * from './event-handlers';
export * from './processed-event-store';
export * from './batch-processor';
export * from './consumer-settings';
export * from './kafka-event.server';
export * from './messaging-metrics';
// The outbox port lives in @app/contracts; re-exported because the relay's API speaks it.
export {
  EMPTY_OUTBOX_BATCH,
  toOutboxEntry,
  type OutboxBatch,
  type OutboxEntry,
  type OutboxStore,
  type PendingOutbox,
} from '@app/contracts';
export * from './outbox/outbox-relay';
export * from './broker-health';
export * from './event-microservice';
export * from './dead-letter-replay';
export * from './dead-letter-reading';
export * from './consumer-lag';
export * from './event-cause';
