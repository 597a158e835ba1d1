// An in-memory RequestProgressStore for unit tests of the domain (the real one is tested on
// the database in test/e2e/request-progress).
import type { AnyCloudEvent, CloudEvent } from '@app/contracts';
import type { OutboxBatch } from '@app/messaging';
import {
  addToTally,
  emptyTally,
  type OutcomeValue,
  progressFromParts,
  type RequestProgress,
  type RequestProgressStore,
  type RequestTally,
  sendIdFor,
  type Settlement,
  type UserRequestOutcome,
} from '../request-progress';

export class InMemoryProgressStore implements RequestProgressStore {
  readonly outcomes = new Map<string, UserRequestOutcome>();
  readonly parts = new Map<
    string,
    { requestId: string; tenantId: string; partCount: number; users: number }
  >();
  readonly completed = new Map<string, CloudEvent<'VerificationBatchCompleted'>>();

  async recordOutcomes(
    outcomes: readonly UserRequestOutcome[],
  ): Promise<Map<string, OutcomeValue>> {
    const standing = new Map<string, OutcomeValue>();
    for (const o of outcomes) {
      const key = `${o.requestId}|${o.userId}`;
      if (!this.outcomes.has(key)) this.outcomes.set(key, o);
      standing.set(o.userId, this.outcomes.get(key)?.outcome ?? o.outcome);
    }
    return standing;
  }

  readonly settledEvents: AnyCloudEvent[] = [];

  async settleMany(settlements: readonly Settlement[]): Promise<OutboxBatch> {
    for (const { events, ...outcome } of settlements) {
      this.outcomes.set(`${outcome.requestId}|${outcome.userId}`, outcome);
      this.settledEvents.push(...events);
    }
    return emptyBatch();
  }

  async findSettled(sendIds: readonly string[]): Promise<Set<string>> {
    const wanted = new Set(sendIds);
    return new Set(
      [...this.outcomes.values()]
        .filter((o) => o.outcome !== 'due')
        .map((o) => sendIdFor(o.tenantId, o.requestId, o.userId))
        .filter((id) => wanted.has(id)),
    );
  }

  async countPart(
    requestId: string,
    tenantId: string,
    part: { index: number; count: number },
    users: number,
  ) {
    const key = `${requestId}:${part.index}`;
    if (this.parts.has(key)) return 'already_counted' as const;
    this.parts.set(key, { requestId, tenantId, partCount: part.count, users });
    return 'counted' as const;
  }

  async progress(requestId: string): Promise<RequestProgress | undefined> {
    const parts = [...this.parts.values()].filter((p) => p.requestId === requestId);
    return progressFromParts(requestId, parts, this.completed.has(requestId) ? new Date(0) : null);
  }

  async hasDue(requestId: string): Promise<boolean> {
    return [...this.outcomes.values()].some(
      (o) => o.requestId === requestId && o.outcome === 'due',
    );
  }

  async tally(requestId: string): Promise<RequestTally> {
    const tally = emptyTally();
    for (const o of this.outcomes.values())
      if (o.requestId === requestId) addToTally(tally, o.outcome);
    return tally;
  }

  async markCompleted(
    requestId: string,
    event: CloudEvent<'VerificationBatchCompleted'>,
  ): Promise<OutboxBatch | undefined> {
    if (this.completed.has(requestId)) return undefined;
    this.completed.set(requestId, event);
    return emptyBatch();
  }
}

export function emptyBatch(): OutboxBatch {
  return {
    store: { name: 'memory', findStale: async () => [], acknowledge: async () => undefined },
    pending: [],
  };
}
