import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Kafka, logLevel, type ISocketFactory, type Producer } from 'kafkajs';
import { createProducer } from '@app/messaging';
import { KafkaTestClient } from '../support/kafka-test-client';
import { requireEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

const PRODUCE_API_KEY = 0;

/**
 * Connections to the real broker that can lose the answer to a produce request after the broker
 * stored it, and then refuse connections for a while: a broker stopping in mid-request, as the
 * chaos outage scenario does with `stack.sh stop kafka`.
 */
class LossyConnections {
  private mode: 'pass' | 'lose-next-produce-answer' | 'refuse' = 'pass';
  private refuseForMs = 0;
  private readonly sockets = new Set<net.Socket>();

  loseNextProduceAnswer(refuseForMs: number): void {
    this.mode = 'lose-next-produce-answer';
    this.refuseForMs = refuseForMs;
  }

  readonly socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    // Nothing listens on port 1: the connection is refused, as by a stopped broker.
    if (this.mode === 'refuse') return net.connect({ host: '127.0.0.1', port: 1 });
    const socket = net.connect({ host, port }, onConnect);
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    let answerLost = false;
    const write = socket.write.bind(socket) as (chunk: Buffer, encoding: BufferEncoding) => boolean;
    // kafkajs writes each request whole: int32 size, then int16 api key.
    socket.write = ((chunk: Buffer, encoding: BufferEncoding) => {
      if (this.mode === 'lose-next-produce-answer' && chunk.readInt16BE(4) === PRODUCE_API_KEY)
        answerLost = true;
      return write(chunk, encoding);
    }) as typeof socket.write;
    const on = socket.on.bind(socket);
    socket.on = ((event: string, listener: (...args: unknown[]) => void) =>
      on(
        event,
        event !== 'data'
          ? listener
          : (data: Buffer) => (answerLost ? this.goAway() : listener(data)),
      )) as typeof socket.on;
    return socket;
  };

  private goAway(): void {
    if (this.mode === 'refuse') return;
    this.mode = 'refuse';
    for (const socket of this.sockets) socket.destroy(new Error('the broker went away'));
    setTimeout(() => (this.mode = 'pass'), this.refuseForMs);
  }
}

// The product's producer when the broker stores a batch but its answer never arrives, and the
// send fails as a whole (the broker is away for longer than the client's reconnects). The caller
// sends again later (the outbox keeps what failed); whatever comes next must be stored. kafkajs's
// idempotent mode rolls its sequence numbers back here, so the next batch of the same size was
// dropped as a "duplicate" while the send reported success, and one of another size was refused
// (OUT_OF_ORDER_SEQUENCE_NUMBER) for as long as the process lived.
describe('the product producer after a lost produce answer (real Kafka)', () => {
  const lossy = new LossyConnections();
  const kafka = new Kafka({
    clientId: 'producer-after-lost-answer-test',
    brokers: requireEnv('KAFKA_BROKERS').split(','),
    socketFactory: lossy.socketFactory,
    logLevel: logLevel.NOTHING,
    // Few reconnects, so the send gives up while the broker is away, as in a real outage.
    retry: { retries: 2, initialRetryTime: 50, maxRetryTime: 200 },
  });
  const watcher = new KafkaTestClient(requireEnv('KAFKA_BROKERS'));
  const admin = kafka.admin();
  const topics: string[] = [];
  let producer: Producer;

  beforeAll(async () => {
    await admin.connect();
    producer = createProducer(kafka);
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await watcher.close();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  /** A fresh one-partition topic holding 'before' and 'stored, answer lost'. */
  async function afterLostAnswer(): Promise<string> {
    const topic = `e2e.producer-lost-answer-${randomBytes(4).toString('hex')}`;
    topics.push(topic);
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await send(topic, 'before');
    lossy.loseNextProduceAnswer(2000);
    await expect(send(topic, 'stored, answer lost')).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    return topic;
  }

  const send = (topic: string, ...values: string[]) =>
    producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });

  async function storedOn(topic: string, count: number): Promise<string[]> {
    await watcher.watch([topic]);
    const values = () => watcher.on(topic).map((m) => m.value?.toString() ?? '');
    await waitFor(`${count} messages on the topic`, () => values().length >= count || undefined, {
      timeoutMs: 10_000,
    }).catch(() => undefined);
    return values();
  }

  it('stores the next batch of the same size (it was dropped as a duplicate)', async () => {
    const topic = await afterLostAnswer();
    await send(topic, 'after');
    expect(await storedOn(topic, 3)).toEqual(['before', 'stored, answer lost', 'after']);
  });

  it('stores a batch of another size, and what follows (it was refused for good)', async () => {
    const topic = await afterLostAnswer();
    await send(topic, 'after 1', 'after 2');
    await send(topic, 'after 3');
    expect(await storedOn(topic, 5)).toEqual([
      'before',
      'stored, answer lost',
      'after 1',
      'after 2',
      'after 3',
    ]);
  });
});
