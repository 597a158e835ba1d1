/**
 * Remembers which event ids a consumer group has applied, so a redelivery has no second effect.
 * Implemented on a unique index (persistence library); no transactions needed.
 */
export interface ProcessedEventStore {
  /** Of these ids, those already applied in this scope. */
  findProcessed(scope: string, eventIds: readonly string[]): Promise<Set<string>>;
  /** Records ids as applied; recording one twice is harmless. */
  markProcessed(scope: string, eventIds: readonly string[]): Promise<void>;
}
