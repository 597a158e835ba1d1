import { DEFAULT_TOPICS } from '@app/contracts';
import { loadConfig } from '@app/config';
import { kafkaEnvSchema, topicEnvName, topicMapFrom } from './kafka-env';

describe('kafka environment', () => {
  it('names one override variable per event type', () => {
    expect(topicEnvName('VerificationRequested')).toBe('TOPIC_VERIFICATION_REQUESTED');
    expect(topicEnvName('VismaConnectLinked')).toBe('TOPIC_VISMA_CONNECT_LINKED');
  });

  it('uses the contract defaults unless a topic is overridden', () => {
    const env = loadConfig(kafkaEnvSchema, {
      KAFKA_BROKERS: '127.0.0.1:9092',
      TOPIC_EMAIL_VERIFIED: 'custom.email-verified',
    });
    const topics = topicMapFrom(env);
    expect(topics.EmailVerified).toBe('custom.email-verified');
    expect(topics.VerificationRequested).toBe(DEFAULT_TOPICS.VerificationRequested);
  });

  it('rejects a topic name Kafka would refuse', () => {
    expect(() =>
      loadConfig(kafkaEnvSchema, { KAFKA_BROKERS: 'x:1', TOPIC_EMAIL_VERIFIED: 'bad topic!' }),
    ).toThrow(/TOPIC_EMAIL_VERIFIED: must be a Kafka topic name/);
  });
});
