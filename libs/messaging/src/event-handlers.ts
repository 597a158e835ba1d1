import { EventPattern } from '@nestjs/microservices';
import type { EventType, Lane } from '@app/contracts';

/** Handler options, carried to the transport as the pattern's extras. */
export interface HandlerOptions {
  /**
   * Skip events whose id this consumer group already applied (default true). Turn it off only
   * for handlers whose effect is naturally idempotent and where the lookup would cost too much.
   */
  dedupe?: boolean;
}

export interface HandlerExtras extends Required<HandlerOptions> {
  batch: boolean;
}

/** Passed to a handler as its second argument; declare it with Nest's `@Ctx()`. */
export interface EventContext {
  topic: string;
  partition: number;
  /** 0 on the first delivery, n on the n-th retry. */
  attempt: number;
  /** True when a failure now goes to the dead-letter topic instead of another retry. */
  finalAttempt: boolean;
  /** Keeps the consumer's group membership alive during long work. */
  heartbeat(): Promise<void>;
  /** The lane whose topic the event was read from; undefined for its type's own topic. */
  lane?: Lane;
}

/**
 * What a batch handler may return: the events that failed, by event id. Events not listed
 * succeeded. Throwing instead fails the whole batch with that error.
 */
export type BatchFailures = ReadonlyMap<string, unknown>;

// `EventPattern<string>`: Nest 12 put typed overloads (keyed by an event map) first, and their
// decorator is not a MethodDecorator; our payloads are typed by the contract instead.

/**
 * Handles one validated event of a type:
 * `handle(@Payload() event: CloudEvent<T>, @Ctx() context: EventContext)` (the context is optional).
 */
export const OnEvent = (type: EventType, options: HandlerOptions = {}): MethodDecorator =>
  EventPattern<string>(type, {
    batch: false,
    dedupe: options.dedupe ?? true,
  } satisfies HandlerExtras);

/**
 * Handles validated events of a type in batches (bounded by CONSUMER_MAX_BATCH), for bulk
 * writes: `handle(@Payload() events: CloudEvent<T>[], @Ctx() context): Promise<BatchFailures | void>`.
 */
export const OnEventBatch = (type: EventType, options: HandlerOptions = {}): MethodDecorator =>
  EventPattern<string>(type, {
    batch: true,
    dedupe: options.dedupe ?? true,
  } satisfies HandlerExtras);
