// An in-memory RequestProgressStore for unit tests of the domain (the real one is tested on
// the database in test/e2e/request-progress).
import type { AnyCloudEvent, CloudEvent, OutboxBatch } from '@app/contracts';
import {
  addToTally,
  emptyTally,
  type OutcomeValue,
  type PartDecisions,
  type RequestProgress,
  type RequestProgressStore,
  type SendRef,
  sendKey,
  type Settlement,
  type StandingOutcome,
} from '../request-progress';

interface StoredPart {
  users: string[];
  outcomes: (OutcomeValue | null)[];
}

export class InMemoryProgressStore implements RequestProgressStore {
  readonly requests = new Map<string, { partCount: number; completedAt: Date | null }>();
  readonly parts = new Map<string, StoredPart>();
  /** Which part holds each user of a request. */
  readonly holders = new Map<string, number>();
  readonly completed = new Map<string, CloudEvent<'VerificationBatchCompleted'>>();
  readonly settledEvents: AnyCloudEvent[] = [];

  async recordPart(decisions: PartDecisions): Promise<Map<string, StandingOutcome>> {
    const { tenantId, requestId, part } = decisions;
    const request = key(tenantId, requestId);
    if (!this.requests.has(request))
      this.requests.set(request, { partCount: part.count, completedAt: null });
    const partKey = key(tenantId, requestId, part.index);
    if (!this.parts.has(partKey)) {
      const outcomes = decisions.users.map((u) => {
        const userKey = key(tenantId, requestId, u.userId);
        if (!this.holders.has(userKey)) this.holders.set(userKey, part.index);
        return this.holders.get(userKey) === part.index ? u.outcome : null;
      });
      this.parts.set(partKey, { users: decisions.users.map((u) => u.userId), outcomes });
    }
    const stored = this.parts.get(partKey)!;
    const standing = new Map<string, StandingOutcome>();
    stored.users.forEach((userId, slot) => {
      const outcome = stored.outcomes[slot];
      if (outcome) standing.set(userId, { outcome, slot });
    });
    return standing;
  }

  async findSettled(sends: readonly SendRef[]): Promise<Map<string, OutcomeValue>> {
    const settled = new Map<string, OutcomeValue>();
    for (const send of sends) {
      const outcome = this.outcomeOf(send);
      if (outcome && outcome !== 'due') settled.set(sendKey(send), outcome);
    }
    return settled;
  }

  async settleMany(settlements: readonly Settlement[]): Promise<OutboxBatch> {
    for (const s of settlements) {
      const part = this.parts.get(key(s.tenantId, s.requestId, s.part));
      if (part?.outcomes[s.slot] !== 'due') continue;
      part.outcomes[s.slot] = s.outcome;
      this.settledEvents.push(...s.events);
    }
    return emptyBatch();
  }

  async progress(tenantId: string, requestId: string): Promise<RequestProgress | undefined> {
    const request = this.requests.get(key(tenantId, requestId));
    if (!request) return undefined;
    const tally = emptyTally();
    let partsSeen = 0;
    for (let index = 1; index <= request.partCount; index++) {
      const part = this.parts.get(key(tenantId, requestId, index));
      if (!part) continue;
      partsSeen += 1;
      for (const outcome of part.outcomes) if (outcome) addToTally(tally, outcome);
    }
    return {
      tenantId,
      requestId,
      partCount: request.partCount,
      partsSeen,
      tally,
      completedAt: request.completedAt,
    };
  }

  async markCompleted(
    tenantId: string,
    requestId: string,
    event: CloudEvent<'VerificationBatchCompleted'>,
  ): Promise<OutboxBatch | undefined> {
    const request = this.requests.get(key(tenantId, requestId));
    if (!request || request.completedAt) return undefined;
    request.completedAt = new Date();
    this.completed.set(key(tenantId, requestId), event);
    return emptyBatch();
  }

  /** The outcome recorded for one send (by part and slot). */
  outcomeOf(send: SendRef): OutcomeValue | null | undefined {
    return this.parts.get(key(send.tenantId, send.requestId, send.part))?.outcomes[send.slot];
  }
}

function key(...parts: (string | number)[]): string {
  return JSON.stringify(parts);
}

export function emptyBatch(): OutboxBatch {
  return {
    store: { name: 'memory', findStale: async () => [], acknowledge: async () => undefined },
    pending: [],
  };
}
