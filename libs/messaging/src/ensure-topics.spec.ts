import type { Kafka } from 'kafkajs';
import { ensureTopics } from './ensure-topics';

// The broker's answers as kafkajs surfaces them; the real broker path is every e2e start-up.
function kafkaWith(admin: Record<string, unknown>): Kafka {
  return {
    admin: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      listTopics: async () => [],
      ...admin,
    }),
  } as unknown as Kafka;
}

const unknownTopic = Object.assign(new Error('This server does not host this topic-partition'), {
  type: 'UNKNOWN_TOPIC_OR_PARTITION',
});
const layout = { partitions: 2, replicationFactor: 1 };
const led = { topics: [{ name: 't', partitions: [{ leader: 1 }, { leader: 1 }] }] };

describe('ensureTopics', () => {
  it('waits for leaders itself when the broker does not know the new topic yet', async () => {
    const fetchTopicMetadata = jest
      .fn()
      .mockRejectedValueOnce(unknownTopic)
      .mockResolvedValueOnce({ topics: [{ name: 't', partitions: [{ leader: -1 }] }] })
      .mockResolvedValue(led);
    const kafka = kafkaWith({
      createTopics: async () => Promise.reject(unknownTopic),
      fetchTopicMetadata,
    });

    await ensureTopics(kafka, ['t'], layout, 5_000);

    expect(fetchTopicMetadata).toHaveBeenCalledTimes(3);
  });

  it('waits for leaders of topics another instance created a moment ago', async () => {
    const fetchTopicMetadata = jest
      .fn()
      .mockResolvedValueOnce({ topics: [{ name: 't', partitions: [{ leader: -1 }] }] })
      .mockResolvedValue(led);
    const createTopics = jest.fn();
    const kafka = kafkaWith({ listTopics: async () => ['t'], createTopics, fetchTopicMetadata });

    await ensureTopics(kafka, ['t'], layout, 5_000);

    expect(createTopics).not.toHaveBeenCalled();
    expect(fetchTopicMetadata).toHaveBeenCalledTimes(2);
  });

  it('gives up with the broker’s answer when the topic never gets a leader', async () => {
    const kafka = kafkaWith({
      createTopics: async () => Promise.reject(unknownTopic),
      fetchTopicMetadata: async () => Promise.reject(unknownTopic),
    });

    await expect(ensureTopics(kafka, ['t'], layout, 300)).rejects.toBe(unknownTopic);
  });

  it('still fails at once on any other error', async () => {
    const denied = Object.assign(new Error('denied'), { type: 'TOPIC_AUTHORIZATION_FAILED' });
    const kafka = kafkaWith({ createTopics: async () => Promise.reject(denied) });

    await expect(ensureTopics(kafka, ['t'], layout)).rejects.toBe(denied);
  });
});
