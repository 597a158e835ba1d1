/**
 * What the runtime provides by token rather than by class: values that are not classes of
 * ours (a pino logger, a kafkajs client, a mongoose connection) or the app's own config.
 */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const SERVICE_NAME = Symbol('SERVICE_NAME');
export const LOGGER = Symbol('LOGGER');
export const METRICS = Symbol('METRICS');
export const TOPICS = Symbol('TOPICS');
export const KAFKA = Symbol('KAFKA');
export const MONGO_CONNECTION = Symbol('MONGO_CONNECTION');
export const KAFKA_CLIENTS = Symbol('KAFKA_CLIENTS');
export const PRODUCER = Symbol('PRODUCER');
export const KAFKA_ADMIN = Symbol('KAFKA_ADMIN');
