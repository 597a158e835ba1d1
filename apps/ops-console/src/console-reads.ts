import { ServiceUnavailableException } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { dlqTopicOf, laneTopicsOf } from '@app/contracts';
import {
  readDeadLetters,
  readDeadLetterTopics,
  sourceTopicOf,
  type DeadLetter,
  type DeadLetterTopic,
  type TopicMap,
} from '@app/messaging';
import type {
  DeadLetterCounts,
  ImportSummary,
  OperatorReadStore,
  OverviewView,
  RequestSummary,
  UserTimeline,
} from '@app/operations';

/** Rows of each overview table: the most recently active. */
export const RECENT_LIMIT = 20;
// Counting is a few admin requests; several open overviews share one answer for this long.
const COUNTS_TTL_MS = 5_000;
// The overview must not wait on a broker that does not answer: it shows the rest without.
const COUNTS_TIMEOUT_MS = 5_000;

/**
 * What the console reads, and only reads: the operators' views from the database and the
 * dead letters of this deployment's own topics (`<topic>.dlq` for each configured topic).
 * A failed read becomes 503 "cannot read just now", never a half-drawn page.
 */
export class ConsoleReads {
  private readonly ownTopics: ReadonlySet<string>;
  private counts?: { at: number; value: Promise<DeadLetterCounts> };
  private readonly letterReads = new Map<string, Promise<DeadLetter[]>>();

  constructor(
    private readonly store: OperatorReadStore,
    private readonly kafka: Kafka,
    topics: TopicMap,
  ) {
    this.ownTopics = new Set([...Object.values(topics), ...laneTopicsOf(topics)]);
  }

  async overview(live: boolean): Promise<OverviewView> {
    const [requests, imports, deadLetters] = await Promise.all([
      available(this.store.recentRequests(RECENT_LIMIT)),
      available(this.store.recentImports(RECENT_LIMIT)),
      this.deadLetterCounts(),
    ]);
    return { requests, imports, deadLetters, live };
  }

  request(tenantId: string, requestId: string): Promise<RequestSummary | undefined> {
    return available(this.store.request(tenantId, requestId));
  }

  import(tenantId: string, importId: string): Promise<ImportSummary | undefined> {
    return available(this.store.import(tenantId, importId));
  }

  userTimeline(tenantId: string, userId: string): Promise<UserTimeline> {
    return available(this.store.userTimeline(tenantId, userId));
  }

  /** The dead-letter topic of one of our topics (named either way); undefined for any other. */
  async deadLetterTopic(name: string): Promise<DeadLetterTopic | undefined> {
    const sourceTopic = sourceTopicOf(name);
    if (!this.ownTopics.has(sourceTopic)) return undefined;
    const counts = await this.deadLetterCounts();
    if (!counts.readable) throw new ServiceUnavailableException('dead letters unreadable');
    const found = counts.topics.find((t) => t.sourceTopic === sourceTopic);
    return found ?? { topic: dlqTopicOf(sourceTopic), sourceTopic, messages: 0 };
  }

  /** Reading takes seconds (a throwaway group joins); a reload joins the read in flight. */
  deadLetters(topic: DeadLetterTopic): Promise<DeadLetter[]> {
    if (topic.messages === 0) return Promise.resolve([]);
    const inFlight = this.letterReads.get(topic.sourceTopic);
    if (inFlight) return inFlight;
    const read = available(readDeadLetters(this.kafka, topic.sourceTopic)).finally(() =>
      this.letterReads.delete(topic.sourceTopic),
    );
    this.letterReads.set(topic.sourceTopic, read);
    return read;
  }

  private deadLetterCounts(): Promise<DeadLetterCounts> {
    const now = Date.now();
    if (!this.counts || now - this.counts.at > COUNTS_TTL_MS) {
      this.counts = { at: now, value: this.countDeadLetters() };
    }
    return this.counts.value;
  }

  private async countDeadLetters(): Promise<DeadLetterCounts> {
    try {
      const own = readDeadLetterTopics(this.kafka, [...this.ownTopics]);
      return { readable: true, topics: await withTimeout(own, COUNTS_TIMEOUT_MS) };
    } catch {
      // Not cached: the next page asks the broker again.
      this.counts = undefined;
      return { readable: false };
    }
  }
}

async function available<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    throw new ServiceUnavailableException('read failed', { cause: error });
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
