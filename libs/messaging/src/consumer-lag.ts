import type { Admin } from 'kafkajs';

/** How far one consumer group is behind on one partition. */
export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  /** The group's committed offset: the next message it will read; undefined before its first commit. */
  committed?: number;
  /** The partition's high watermark: the offset the next produced message gets. */
  high: number;
  /** Messages produced and not yet committed by the group (the whole partition before a commit). */
  lag: number;
}

export interface GroupOffsets {
  group: string;
  topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
}

export interface TopicEnds {
  topic: string;
  partitions: { partition: number; high: string; low: string }[];
}

/**
 * Lag per group and partition from what the broker reports. A group that never committed on
 * a partition has read nothing of it since its low watermark, so that counts as its lag.
 */
export function lagOf(groups: readonly GroupOffsets[], ends: readonly TopicEnds[]): PartitionLag[] {
  const endOf = new Map(
    ends.flatMap((t) => t.partitions.map((p) => [`${t.topic}/${p.partition}`, p] as const)),
  );
  return groups.flatMap(({ group, topics }) =>
    topics.flatMap(({ topic, partitions }) =>
      partitions.flatMap(({ partition, offset }) => {
        const end = endOf.get(`${topic}/${partition}`);
        if (!end) return [];
        const high = Number(end.high);
        const committed = Number(offset) >= 0 ? Number(offset) : undefined;
        const lag = high - (committed ?? Number(end.low));
        return [
          { group, topic, partition, ...(committed === undefined ? {} : { committed }), high, lag },
        ];
      }),
    ),
  );
}

/** Every consumer group whose id starts with `prefix` (all when empty), with its lag. */
export async function readConsumerLag(admin: Admin, prefix = ''): Promise<PartitionLag[]> {
  const { groups } = await admin.listGroups();
  const ids = groups
    // '' is a group known only by its committed offsets (no member has joined yet).
    .filter((g) => ['consumer', ''].includes(g.protocolType) && g.groupId.startsWith(prefix))
    .map((g) => g.groupId)
    .sort();
  const offsets: GroupOffsets[] = [];
  for (const group of ids) {
    // Asked without topics the broker names only committed partitions; asked by topic it
    // gives every partition, -1 where the group has not committed yet.
    const known = await admin.fetchOffsets({ groupId: group });
    const topics = known.filter((t) => t.partitions.length > 0).map((t) => t.topic);
    if (topics.length > 0)
      offsets.push({ group, topics: await admin.fetchOffsets({ groupId: group, topics }) });
  }
  const names = [...new Set(offsets.flatMap((g) => g.topics.map((t) => t.topic)))];
  const ends = await Promise.all(
    names.map(async (topic) => ({
      topic,
      partitions: (await admin.fetchTopicOffsets(topic)).map((p) => ({
        partition: p.partition,
        high: p.high,
        low: p.low,
      })),
    })),
  );
  return lagOf(offsets, ends).sort(
    (a, b) =>
      a.group.localeCompare(b.group) || a.topic.localeCompare(b.topic) || a.partition - b.partition,
  );
}
