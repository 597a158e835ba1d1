export * from './kafka-env';
export * from './create-kafka';
export * from './ensure-topics';
export * from './event-publisher';
export * from './dead-letter';
export * from './kafka-event.server';
