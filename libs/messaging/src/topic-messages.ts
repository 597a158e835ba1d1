import type { Message, TopicMessages } from 'kafkajs';

/** Groups messages by topic for one `sendBatch`, keeping their order within each topic. */
export function groupByTopic(
  items: Iterable<{ topic: string; message: Message }>,
): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { topic, message } of items) {
    const list = byTopic.get(topic);
    if (list) list.push(message);
    else byTopic.set(topic, [message]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
