import { randomBytes } from 'node:crypto';
import {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import { dlqTopicOf } from '@app/contracts';
import { replayCopy } from './set-aside';
import { createProducer } from './create-kafka';

import {
  decideReplay,
  defaultReplayGroupId,
  partitionRanges,
  reportLine,
  type PartitionRange,
  type ReplayOptions,
  type ReplayReport,
} from './dead-letter-replay-rules';

export * from './dead-letter-replay-rules';

const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/**
 * Replays the dead letters of `sourceTopic` (read from its `.dlq` topic) onto the topic they were
 * first published to, as first published: same key, value and event headers, set-aside headers
 * removed. Consumers dedupe by event id, so a replayed duplicate is harmless; a lost one is not,
 * hence each message is produced (acks from all in-sync replicas) before its offset is committed.
 *
 * - Reads from the group's committed position up to the end of each partition as it was when the
 *   call started, so it terminates even while new dead letters arrive.
 * - Messages that do not match `errorCode` are skipped and the group moves past them: a later run
 *   with another code does not see them again. `fromBeginning` rescans the whole topic (and
 *   replays again whatever matches).
 * - A message whose `original-topic` names a topic other than `sourceTopic` is skipped, never
 *   written anywhere: a replay must not write into topics the operator did not name.
 * - `dryRun` reads from the same position through a throwaway group: nothing is produced and the
 *   real group's position is untouched.
 */
export async function replayDeadLetters(
  kafka: Kafka,
  options: ReplayOptions,
): Promise<ReplayReport> {
  validateOptions(options);
  const dlqTopic = dlqTopicOf(options.sourceTopic);
  const realGroupId = options.groupId ?? defaultReplayGroupId(options.sourceTopic);
  const groupId = options.dryRun
    ? `${realGroupId}.dry-run-${randomBytes(4).toString('hex')}`
    : realGroupId;
  const ranges = await withAdmin(kafka, (admin) =>
    planRanges(admin, { dlqTopic, realGroupId, groupId, options }),
  );
  const pending = ranges.filter((range) => range.start < range.end);
  if (pending.length === 0) {
    return { replayed: 0, skipped: 0, scanned: 0, target: options.sourceTopic };
  }
  try {
    return await runReplay(kafka, { dlqTopic, groupId, options, pending });
  } finally {
    // The throwaway group would otherwise linger on the broker until its offsets expire.
    if (options.dryRun) {
      await withAdmin(kafka, (admin) => admin.deleteGroups([groupId])).catch(() => undefined);
    }
  }
}

/** Which message goes where: matching dead letters back to the source topic, others nowhere. */
function validateOptions(options: ReplayOptions): void {
  if (!options.sourceTopic) throw new Error('sourceTopic is required');
  const { limit, idleTimeoutMs } = options;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
    throw new RangeError('limit must be a positive integer');
  }
  if (idleTimeoutMs !== undefined && !(idleTimeoutMs > 0)) {
    throw new RangeError('idleTimeoutMs must be positive');
  }
}

async function withAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

async function planRanges(
  admin: Admin,
  plan: { dlqTopic: string; realGroupId: string; groupId: string; options: ReplayOptions },
): Promise<PartitionRange[]> {
  const { dlqTopic, realGroupId, groupId, options } = plan;
  // Without this check a missing topic surfaces as retries and a protocol error much later.
  if (!(await admin.listTopics()).includes(dlqTopic)) {
    throw new Error(`dead-letter topic ${dlqTopic} does not exist`);
  }
  const watermarks = await admin.fetchTopicOffsets(dlqTopic);
  const [committed] = await admin.fetchOffsets({ groupId: realGroupId, topics: [dlqTopic] });
  const ranges = partitionRanges(
    watermarks,
    committed?.partitions ?? [],
    options.fromBeginning ?? false,
  );
  const somethingToRead = ranges.some((range) => range.start < range.end);
  // A rescan moves the real group back; a dry run starts its throwaway group where the real one is.
  if (somethingToRead && (options.dryRun || options.fromBeginning)) {
    await admin.setOffsets({
      groupId,
      topic: dlqTopic,
      partitions: ranges.map((r) => ({ partition: r.partition, offset: r.start.toString() })),
    });
  }
  return ranges;
}

interface RunPlan {
  dlqTopic: string;
  groupId: string;
  options: ReplayOptions;
  pending: PartitionRange[];
}

async function runReplay(kafka: Kafka, plan: RunPlan): Promise<ReplayReport> {
  const producer = plan.options.dryRun
    ? undefined
    : // The product's producer (not kafkajs's idempotent mode, see createProducer); its
      // partitioner is the Java client's, so a replayed key lands where it first did.
      createProducer(kafka);
  // A short long-poll: stopping waits for the fetch in flight.
  const consumer = kafka.consumer({ groupId: plan.groupId, maxWaitTimeInMs: 500 });
  const run = new ReplayRun(plan, consumer, producer);
  try {
    await producer?.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [plan.dlqTopic], fromBeginning: true });
    run.watch();
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => run.onBatch(payload),
    });
    return await run.finished;
  } finally {
    run.dispose();
    // Consumer first: a batch in flight may still be producing.
    await consumer.disconnect();
    await producer?.disconnect();
  }
}

/** The state of one replay: what is left to read, the counts, and how it ends. */
class ReplayRun {
  readonly finished: Promise<ReplayReport>;
  private settle!: { resolve: (report: ReplayReport) => void; reject: (error: Error) => void };
  private settled = false;
  private readonly ends: Map<number, bigint>;
  private readonly report: ReplayReport;
  private lastProgressAt = Date.now();
  private idleTimer?: NodeJS.Timeout;

  constructor(
    private readonly plan: RunPlan,
    private readonly consumer: Consumer,
    private readonly producer: Producer | undefined,
  ) {
    this.ends = new Map(plan.pending.map((range) => [range.partition, range.end]));
    this.report = { replayed: 0, skipped: 0, scanned: 0, target: plan.options.sourceTopic };
    this.finished = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // A failure before anyone awaits `finished` must not count as an unhandled rejection.
    this.finished.catch(() => undefined);
  }

  /** Guards that end the run even when no batch comes: an idle timeout and consumer crashes. */
  watch(): void {
    const idleMs = this.plan.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.idleTimer = setInterval(() => this.checkIdle(idleMs), Math.min(1000, idleMs));
    this.idleTimer.unref();
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.fail(payload.error);
    });
    // Batches of only transaction markers never reach eachBatch but still move the position.
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize === 0) this.advance(payload.partition, BigInt(payload.lastOffset) + 1n);
    });
  }

  async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const end = this.ends.get(batch.partition);
    if (this.settled || end === undefined) {
      payload.pause();
      return;
    }
    try {
      const next = await this.readBatch(payload, end);
      if (next !== undefined && !this.plan.options.dryRun) await this.commit(batch.partition, next);
      if (next !== undefined) this.advance(batch.partition, next);
      if (this.limitReached()) this.finish();
      if (!this.ends.has(batch.partition)) payload.pause();
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Handles the batch's messages below `end`; returns the offset to continue from, if any. */
  private async readBatch(payload: EachBatchPayload, end: bigint): Promise<bigint | undefined> {
    const { batch } = payload;
    let next: bigint | undefined;
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      if (offset >= end) return end;
      if (this.settled || this.limitReached() || !payload.isRunning() || payload.isStale()) break;
      await this.handle(batch.partition, message);
      payload.resolveOffset(message.offset);
      next = offset + 1n;
      this.lastProgressAt = Date.now();
      await payload.heartbeat();
    }
    return next;
  }

  private async handle(partition: number, message: KafkaMessage): Promise<void> {
    const { sourceTopic, errorCode, dryRun, onMessage } = this.plan.options;
    const decision = decideReplay(message.headers, { sourceTopic, errorCode });
    if (decision.replay && this.producer) {
      await this.producer.send({
        topic: decision.target,
        acks: -1,
        messages: [replayCopy(message)],
      });
    }
    this.report.scanned += 1;
    if (decision.replay) this.report.replayed += 1;
    else this.report.skipped += 1;
    onMessage?.(reportLine(partition, message, decision, dryRun ?? false));
  }

  private async commit(partition: number, next: bigint): Promise<void> {
    await this.consumer.commitOffsets([
      { topic: this.plan.dlqTopic, partition, offset: next.toString() },
    ]);
  }

  private advance(partition: number, next: bigint): void {
    const end = this.ends.get(partition);
    if (end !== undefined && next >= end) this.ends.delete(partition);
    if (this.ends.size === 0) this.finish();
  }

  private limitReached(): boolean {
    const { limit } = this.plan.options;
    return limit !== undefined && this.report.replayed >= limit;
  }

  private checkIdle(idleMs: number): void {
    if (Date.now() - this.lastProgressAt < idleMs) return;
    const left = [...this.ends.keys()].join(', ');
    this.fail(
      new Error(
        `no progress for ${idleMs} ms replaying ${this.plan.dlqTopic} (partitions left: ${left}); ` +
          `is another replay using group ${this.plan.groupId}?`,
      ),
    );
  }

  /** Stops the guards; the run ends without a result if it had none yet. */
  dispose(): void {
    this.settled = true;
    clearInterval(this.idleTimer);
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    clearInterval(this.idleTimer);
    this.settle.resolve({ ...this.report });
  }

  private fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    clearInterval(this.idleTimer);
    this.settle.reject(error);
  }
}
