import {
  Kafka,
  logLevel,
  Partitioners,
  type Consumer,
  type IHeaders,
  type Producer,
} from 'kafkajs';
import { waitFor } from './wait-for';

export interface ReceivedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Produces raw bytes and records everything that arrives on the topics it watches. */
export class KafkaTestClient {
  private readonly kafka: Kafka;
  private producer?: Producer;
  private readonly consumers: Consumer[] = [];
  readonly received: ReceivedMessage[] = [];

  constructor(brokers: string) {
    this.kafka = new Kafka({
      clientId: 'e2e-test',
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
  }

  async produce(
    topic: string,
    messages: {
      key?: string;
      value: Buffer | string | null;
      headers?: IHeaders;
      partition?: number;
    }[],
  ): Promise<void> {
    if (!this.producer) {
      // Idempotent: a send retried after a lost answer (a fresh topic's leader not elected yet)
      // must not write its messages twice, or tests that count offsets see doubles.
      this.producer = this.kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await this.producer.connect();
    }
    await this.producer.send({ topic, acks: -1, messages });
  }

  /** Starts recording the topics from their beginning; resolves once the consumer has joined. */
  async watch(topics: string[]): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `e2e-watch-${Math.random().toString(36).slice(2)}`,
    });
    this.consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
    });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        this.received.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value,
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [
              k,
              Buffer.isBuffer(v) ? v.toString() : String(v),
            ]),
          ),
        });
      },
    });
    await waitFor('the test consumer to join its group', () => joined);
  }

  on(topic: string): ReceivedMessage[] {
    return this.received.filter((m) => m.topic === topic);
  }

  /** The parsed JSON values that arrived on a topic. */
  json<T = Record<string, unknown>>(topic: string): T[] {
    return this.on(topic).map((m) => JSON.parse(m.value?.toString() ?? 'null') as T);
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.disconnect()));
    await this.producer?.disconnect();
  }
}
