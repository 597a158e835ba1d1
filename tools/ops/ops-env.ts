import { Kafka, logLevel } from 'kafkajs';
import type { Connection } from 'mongoose';
import { loadConfig, type Environment } from '@app/config';
import {
  kafkaConnectionOptions,
  kafkaEnvSchema,
  kafkaSecurityFrom,
  topicMapFrom,
  type TopicMap,
} from '@app/messaging';
import { connectMongo, mongoEnvSchema } from '@app/persistence';

const opsEnvSchema = kafkaEnvSchema.extend(mongoEnvSchema.shape);

/** The local stack's addresses (`npm start`), so an operator there needs no variables. */
const LOCAL_DEFAULTS = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/connect-provisioning',
};

export function opsConfig(env: Environment) {
  return loadConfig(opsEnvSchema, { ...LOCAL_DEFAULTS, ...env });
}

export function opsKafka(env: Environment): Kafka {
  const config = opsConfig(env);
  return new Kafka({
    clientId: 'connect-ops',
    brokers: config.KAFKA_BROKERS,
    ...kafkaConnectionOptions(kafkaSecurityFrom(config)),
    logLevel: logLevel.NOTHING,
  });
}

export function opsTopics(env: Environment): TopicMap {
  return topicMapFrom(opsConfig(env));
}

/** Runs `work` on a database connection, closed afterwards whatever happens. */
export async function withDatabase<T>(
  env: Environment,
  work: (connection: Connection) => Promise<T>,
): Promise<T> {
  const config = opsConfig(env);
  const connection = await connectMongo(config.MONGODB_URI);
  try {
    return await work(connection);
  } finally {
    await connection.close();
  }
}
