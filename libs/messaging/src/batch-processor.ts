import type { EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import {
  type AnyCloudEvent,
  dlqTopicOf,
  type EventType,
  type Lane,
  parseEvent,
} from '@app/contracts';
import { classifyFailure, failureCode, failureMessage, type FailureKind } from './errors';
import type { EventContext } from './event-handlers';
import type { ConsumeResult, MessagingMetrics } from './messaging-metrics';
import { HEADERS, headerString } from './headers';
import {
  appliedEventKey,
  appliedEventRef,
  type ProcessedEventStore,
} from './processed-event-store';
import { nextRetryStep, readRetryHeaders, type RetryPolicy } from './retry-policy';
import {
  deadLetterCopy,
  type Origin,
  type Reason,
  retryCopy,
  sendCopies,
  type SetAsideCopy,
} from './set-aside';

/** One handler as the transport found it: what it takes and how to call it. */
export interface HandlerRoute {
  type: EventType;
  sourceTopic: string;
  batch: boolean;
  dedupe: boolean;
  invoke(input: AnyCloudEvent | AnyCloudEvent[], context: EventContext): Promise<unknown>;
}

export interface BatchProcessorOptions {
  producer: Producer;
  /** Scope of the processed-event marks: one consumer group applies an event once. */
  groupId: string;
  processed?: ProcessedEventStore;
  retry: RetryPolicy;
  /** Most events handed to a handler, and handled between two offset commits. */
  maxBatch: number;
  /**
   * Most bytes of event values in one chunk (a chunk has at least one event). Events differ in
   * weight by a thousand: a bulk request's part carries 1,000 users, a single send one, and a
   * chunk of parts would hold the partition's commits and the next fetch for minutes.
   */
  maxChunkBytes?: number;
  /**
   * After this long on one fetched batch, the rest is left unresolved and fetched again. kafkajs
   * fetches only once every partition's batch of the last fetch is done, so one partition's
   * long batch would hold every other partition's new events (default 500 ms).
   */
  sliceMs?: number;
  /** The lane this consumer reads, told to handlers (EventContext.lane). */
  lane?: Lane;
  /** How long to wait in place for an unavailable dependency before using the retry topics. */
  unavailableMaxWaitMs: number;
  logger: Logger;
  metrics?: MessagingMetrics;
  now?: () => number;
}

interface Delivery {
  event: AnyCloudEvent;
  message: KafkaMessage;
  attempt: number;
  /** appliedEventKey of the event, made once: dedupe and failures are looked up by it. */
  key: string;
}

type ChunkOutcome = 'done' | 'unavailable';

/** What every step of one try at a chunk needs to know. */
interface ChunkAttempt {
  payload: EachBatchPayload;
  route: HandlerRoute;
  /** The time the try started, stamped on its dead-letter copies. */
  nowDate: Date;
  origin(message: KafkaMessage): Origin;
}

const deliveryKey = (d: Delivery): string => d.key;

const MAX_BACKOFF_MS = 30_000;
const HEARTBEAT_EVERY_MS = 1000;
const DEFAULT_SLICE_MS = 500;

/**
 * Processes what kafkajs fetched for one partition: chunk by chunk, validate, skip what was
 * applied, call the handler, route failures, and only then resolve and commit the offsets.
 */
export class BatchProcessor {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly now: () => number;

  constructor(private readonly options: BatchProcessorOptions) {
    this.now = options.now ?? Date.now;
  }

  async process(
    payload: EachBatchPayload,
    route: HandlerRoute,
    fromRetryTopic: boolean,
  ): Promise<void> {
    const messages = payload.batch.messages;
    const sliceEndsAt = this.now() + (this.options.sliceMs ?? DEFAULT_SLICE_MS);
    let index = 0;
    while (index < messages.length) {
      if (!payload.isRunning() || payload.isStale()) return;
      // The rest is fetched again: the next fetch brings the other partitions' new events too.
      if (index > 0 && this.now() >= sliceEndsAt) return;
      const { chunk, dueAt } = this.nextChunk(messages, index, fromRetryTopic);
      if (chunk.length > 0) {
        if (!(await this.processChunk(payload, route, chunk, fromRetryTopic))) return;
        const last = chunk[chunk.length - 1] as KafkaMessage;
        payload.resolveOffset(last.offset);
        await payload.heartbeat();
        await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
        index += chunk.length;
        this.recordLag(payload, last);
      }
      if (dueAt !== undefined) {
        // The rest of this retry partition is not due yet: stop fetching it until it is,
        // without holding up any other partition.
        this.pauseUntil(payload, dueAt);
        return;
      }
    }
  }

  /** Stops pending resume timers; the consumer is going away. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private nextChunk(
    messages: KafkaMessage[],
    start: number,
    fromRetryTopic: boolean,
  ): { chunk: KafkaMessage[]; dueAt?: number } {
    const chunk: KafkaMessage[] = [];
    const now = this.now();
    const maxBytes = this.options.maxChunkBytes ?? Infinity;
    let bytes = 0;
    for (let i = start; i < messages.length && chunk.length < this.options.maxBatch; i++) {
      const message = messages[i] as KafkaMessage;
      if (fromRetryTopic) {
        const dueAt = Number(headerString(message.headers, HEADERS.retryDueAt));
        if (Number.isFinite(dueAt) && dueAt > now) return { chunk, dueAt };
      }
      bytes += message.value?.length ?? 0;
      if (chunk.length > 0 && bytes > maxBytes) break;
      chunk.push(message);
    }
    return { chunk };
  }

  /** Returns false when the consumer stopped before the chunk was done. */
  private async processChunk(
    payload: EachBatchPayload,
    route: HandlerRoute,
    chunk: KafkaMessage[],
    fromRetryTopic: boolean,
  ): Promise<boolean> {
    const started = this.now();
    let backoffMs = 500;
    for (;;) {
      const stopWaiting = this.now() - started >= this.options.unavailableMaxWaitMs;
      try {
        if (
          (await this.attemptChunk(payload, route, chunk, fromRetryTopic, stopWaiting)) === 'done'
        )
          return true;
      } catch (error) {
        // Failures of this layer's own I/O (marks, set-aside copies). A bug is not retried here.
        if (classifyFailure(error) === 'permanent') throw error;
        this.log(payload).warn({ err: error }, 'could not finish a chunk; trying again');
      }
      this.log(payload).warn({ backoffMs }, 'a dependency is unavailable; waiting in place');
      if (!(await this.sleepWithHeartbeat(payload, backoffMs))) return false;
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    }
  }

  /** One try at a chunk: read it, apply what is new, set aside what failed, count. */
  private async attemptChunk(
    payload: EachBatchPayload,
    route: HandlerRoute,
    chunk: KafkaMessage[],
    fromRetryTopic: boolean,
    stopWaiting: boolean,
  ): Promise<ChunkOutcome> {
    const attempt: ChunkAttempt = {
      payload,
      route,
      nowDate: new Date(this.now()),
      origin: (message) => ({
        sourceTopic: route.sourceTopic,
        consumedTopic: payload.batch.topic,
        partition: payload.batch.partition,
        message,
      }),
    };
    const { deliveries, unreadable } = this.readChunk(attempt, chunk, fromRetryTopic);
    const todo = await this.withoutApplied(deliveries, route);
    const failures = await this.whileAlive(payload, () => this.invoke(payload, route, todo));
    const succeeded = todo.filter((d) => !failures.has(deliveryKey(d)));
    await this.markApplied(route, succeeded);
    const setAside = this.setAsideFailed(attempt, todo, failures, stopWaiting);
    if (setAside === 'unavailable') return 'unavailable';
    const copies = [...unreadable, ...setAside];
    await sendCopies(this.options.producer, copies);
    this.countOutcomes(attempt, {
      duplicates: deliveries.length - todo.length,
      handled: succeeded.length,
      copies,
    });
    return 'done';
  }

  /** Parses each message into a delivery; what cannot be read goes to the dead-letter topic. */
  private readChunk(
    attempt: ChunkAttempt,
    chunk: KafkaMessage[],
    fromRetryTopic: boolean,
  ): { deliveries: Delivery[]; unreadable: SetAsideCopy[] } {
    const deliveries: Delivery[] = [];
    const unreadable: SetAsideCopy[] = [];
    const deadLetter = (message: KafkaMessage, reason: Reason) =>
      unreadable.push(deadLetterCopy(attempt.origin(message), reason, attempt.nowDate));
    for (const message of chunk) {
      let retryAttempt = 0;
      if (fromRetryTopic) {
        const headers = readRetryHeaders(message.headers);
        if (!headers.ok) {
          deadLetter(message, { code: 'malformed_retry_headers', message: headers.message });
          continue;
        }
        retryAttempt = headers.value.attempt;
      }
      const parsed = parseEvent(message.value, attempt.route.type);
      if (parsed.ok)
        deliveries.push({
          event: parsed.event,
          message,
          attempt: retryAttempt,
          key: appliedEventKey(appliedEventRef(parsed.event)),
        });
      else deadLetter(message, { code: parsed.error.code, message: parsed.error.message });
    }
    return { deliveries, unreadable };
  }

  /** Records the events this group applied, so a redelivery skips them. */
  private async markApplied(route: HandlerRoute, succeeded: Delivery[]): Promise<void> {
    if (!route.dedupe || !this.options.processed || succeeded.length === 0) return;
    await this.options.processed.markProcessed(
      this.options.groupId,
      succeeded.map((d) => appliedEventRef(d.event)),
    );
  }

  /**
   * A copy on the retry or dead-letter topic for each failed delivery; 'unavailable' when a
   * dependency is down and the chunk should rather wait in place.
   */
  private setAsideFailed(
    attempt: ChunkAttempt,
    todo: Delivery[],
    failures: Map<string, unknown>,
    stopWaiting: boolean,
  ): SetAsideCopy[] | 'unavailable' {
    const copies: SetAsideCopy[] = [];
    for (const delivery of todo) {
      const error = failures.get(deliveryKey(delivery));
      if (error === undefined) continue;
      const kind = classifyFailure(error);
      if (kind === 'unavailable' && !stopWaiting) return 'unavailable';
      const copy = this.setAsideCopy(attempt, delivery, error, kind);
      copies.push(copy);
      this.log(attempt.payload).warn(
        {
          eventId: delivery.event.id,
          attempt: delivery.attempt,
          kind,
          code: failureCode(error),
          to: copy.topic,
          err: error,
        },
        'handler failed; event set aside',
      );
    }
    return copies;
  }

  /** The next retry step, or the dead-letter topic when the error is permanent or retries ran out. */
  private setAsideCopy(
    attempt: ChunkAttempt,
    delivery: Delivery,
    error: unknown,
    kind: FailureKind,
  ): SetAsideCopy {
    const reason = { code: failureCode(error), message: failureMessage(error) };
    const origin = attempt.origin(delivery.message);
    const step =
      kind === 'permanent'
        ? undefined
        : nextRetryStep(this.options.retry, delivery.attempt, this.now());
    if (step?.kind === 'retry') return retryCopy(origin, reason, step.attempt, step.dueAt);
    return deadLetterCopy(origin, step ? { ...reason, code: step.code } : reason, attempt.nowDate);
  }

  private countOutcomes(
    attempt: ChunkAttempt,
    outcome: { duplicates: number; handled: number; copies: SetAsideCopy[] },
  ): void {
    const { route, payload } = attempt;
    const counts = new Map<ConsumeResult, number>([
      ['duplicate', outcome.duplicates],
      ['handled', outcome.handled],
    ]);
    for (const copy of outcome.copies) {
      const result = copy.topic === dlqTopicOf(route.sourceTopic) ? 'dead_lettered' : 'retried';
      counts.set(result, (counts.get(result) ?? 0) + 1);
    }
    for (const [result, count] of counts)
      this.options.metrics?.eventsConsumed(
        this.options.groupId,
        payload.batch.topic,
        result,
        count,
      );
  }

  /**
   * Heartbeats while `work` runs: one event (a bulk request's part of 1,000 users) may take
   * longer than the session timeout, and a member that goes quiet is thrown out of the group,
   * its partitions handed to another member that starts the same work again.
   */
  private async whileAlive<T>(payload: EachBatchPayload, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => {
      payload.heartbeat().catch(() => undefined);
    }, HEARTBEAT_EVERY_MS);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /** Drops repeats inside the chunk and events this group already applied. */
  private async withoutApplied(deliveries: Delivery[], route: HandlerRoute): Promise<Delivery[]> {
    const seen = new Set<string>();
    const unique = deliveries.filter((d) => !seen.has(d.key) && seen.add(d.key));
    if (!route.dedupe || !this.options.processed || unique.length === 0) return unique;
    const applied = await this.options.processed.findProcessed(
      this.options.groupId,
      unique.map((d) => appliedEventRef(d.event)),
    );
    return unique.filter((d) => !applied.has(deliveryKey(d)));
  }

  private async invoke(
    payload: EachBatchPayload,
    route: HandlerRoute,
    todo: Delivery[],
  ): Promise<Map<string, unknown>> {
    // By appliedEventKey: two events of one chunk may share an id (other tenant or source).
    const failures = new Map<string, unknown>();
    if (todo.length === 0) return failures;
    const context = (attempt: number): EventContext => ({
      topic: payload.batch.topic,
      partition: payload.batch.partition,
      attempt,
      finalAttempt: attempt >= this.options.retry.delaysMs.length,
      heartbeat: () => payload.heartbeat(),
      ...(this.options.lane ? { lane: this.options.lane } : {}),
    });

    if (route.batch) {
      try {
        const result = await route.invoke(
          todo.map((d) => d.event),
          context(Math.max(...todo.map((d) => d.attempt))),
        );
        // Batch handlers name failures by event id alone: every event with that id is retried.
        if (result instanceof Map)
          for (const [id, error] of result)
            for (const d of todo)
              if (d.event.id === String(id)) failures.set(deliveryKey(d), error);
      } catch (error) {
        for (const d of todo) failures.set(deliveryKey(d), error);
      }
      return failures;
    }

    for (const [i, delivery] of todo.entries()) {
      try {
        await route.invoke(delivery.event, context(delivery.attempt));
      } catch (error) {
        failures.set(deliveryKey(delivery), error);
        // When a dependency is down the rest would fail the same way, one timeout each.
        if (classifyFailure(error) === 'unavailable') {
          for (const rest of todo.slice(i + 1)) failures.set(deliveryKey(rest), error);
          break;
        }
      }
    }
    return failures;
  }

  /** The partition's lag behind the high watermark the batch was fetched with. */
  private recordLag(payload: EachBatchPayload, last: KafkaMessage): void {
    const { batch } = payload;
    const lag = Number(batch.highWatermark) - Number(last.offset) - 1;
    if (Number.isFinite(lag))
      this.options.metrics?.partitionLag(this.options.groupId, batch.topic, batch.partition, lag);
  }

  private pauseUntil(payload: EachBatchPayload, dueAt: number): void {
    const resume = payload.pause();
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        resume();
      },
      Math.max(0, dueAt - this.now()),
    );
    this.timers.add(timer);
  }

  /** Sleeps in short steps that keep the group membership alive; false if the consumer stops. */
  private async sleepWithHeartbeat(payload: EachBatchPayload, ms: number): Promise<boolean> {
    const until = this.now() + ms;
    while (this.now() < until) {
      if (!payload.isRunning() || payload.isStale()) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, until - this.now())));
      await payload.heartbeat().catch(() => undefined);
    }
    return payload.isRunning() && !payload.isStale();
  }

  private log(payload: EachBatchPayload): Logger {
    return this.options.logger.child({
      topic: payload.batch.topic,
      partition: payload.batch.partition,
    });
  }
}
