import type { AnyCloudEvent } from '@app/contracts';

/**
 * One applied event: its CloudEvent id, which CloudEvents makes unique only per `source`, within
 * its tenant. Another tenant's or another producer's event with the same id is another event,
 * never a duplicate of this one.
 */
export interface AppliedEventRef {
  tenantId: string;
  source: string;
  eventId: string;
}

export function appliedEventRef(event: AnyCloudEvent): AppliedEventRef {
  return { tenantId: event.data.tenantId, source: event.source, eventId: event.id };
}

/** A key for one applied event in sets and maps; JSON keeps the parts apart whatever they hold. */
export function appliedEventKey(ref: AppliedEventRef): string {
  return JSON.stringify([ref.tenantId, ref.source, ref.eventId]);
}

/**
 * Remembers which events a consumer group has applied, so a redelivery has no second effect.
 * Implemented on a unique index (persistence library); no transactions needed.
 */
export interface ProcessedEventStore {
  /** Of these events, those already applied in this scope, by appliedEventKey. */
  findProcessed(scope: string, events: readonly AppliedEventRef[]): Promise<Set<string>>;
  /** Records events as applied; recording one twice is harmless. */
  markProcessed(scope: string, events: readonly AppliedEventRef[]): Promise<void>;
}
