import type { RetryPolicy } from './retry-policy';

// Its own file so that kafka-env (which builds it from the environment) and kafka-event.server
// (which reads it) need not import each other: they did, both ways.
export interface ConsumerSettings {
  groupId: string;
  /** Partitions handled at once: the bound on in-flight work. */
  concurrency: number;
  maxBatch: number;
  /** Most bytes of event values in one chunk (BatchProcessorOptions.maxChunkBytes). */
  maxChunkBytes: number;
  sessionTimeoutMs: number;
  unavailableMaxWaitMs: number;
  retry: RetryPolicy;
  /**
   * The broker holds a fetch until this much data is waiting (or the long-poll ends), so a
   * consumer whose handler pays per batch gets full batches instead of a trickle. Default 1.
   */
  minFetchBytes?: number;
}
