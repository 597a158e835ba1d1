import type { UserImportCompletedData, VerificationStatus } from '@app/contracts';
import type { LinkOutcome, OutcomeValue, RequestTally } from '@app/verification';

/**
 * What operators read about the pipeline: plain, already masked values that the command line
 * and the console render. No address appears whole: operators see enough to recognise one.
 */

export interface UserSummary {
  tenantId: string;
  userId: string;
  status: VerificationStatus;
  maskedEmail?: string;
  lastSentAt?: Date;
  addressSetAt?: Date;
  verifiedAt?: Date;
  linkedAt?: Date;
}

/** One thing that happened to a user, oldest first in a timeline. */
export type TimelineEntry =
  | { at: Date; kind: 'address_set' }
  | {
      at: Date;
      kind: 'mail';
      requestId: string;
      maskedEmail: string;
      /** What the mail step made of it; `due` while it is being sent. */
      outcome: OutcomeValue | 'unknown';
      expiresAt: Date;
    }
  | { at: Date; kind: 'link_used'; maskedEmail: string }
  | { at: Date; kind: 'email_verified'; method: string; outcome: LinkOutcome }
  | { at: Date; kind: 'linked' };

export interface UserTimeline {
  user?: UserSummary;
  entries: TimelineEntry[];
}

export type RequestPhase = 'receiving' | 'sending' | 'completed';

export interface RequestSummary {
  requestId: string;
  tenantId: string;
  phase: RequestPhase;
  partsSeen: number;
  partCount: number;
  /** Users in the parts received so far. */
  requested: number;
  tally: RequestTally;
  /** Users whose outcome is final (sent, failed or skipped). */
  settled: number;
  completedAt?: Date;
}

export type ImportPhase = 'running' | 'completed' | 'failed';

export interface ImportSummary {
  importId: string;
  tenantId: string;
  phase: ImportPhase;
  /** Data rows in the file, once it was read. */
  rows?: number;
  /** Rows decided and applied so far. */
  applied: number;
  counts: { updated: number; unchanged: number; rejected: number };
  startedAt?: Date;
  completedAt?: Date;
  /** The import's UserImportCompleted, once it has one. */
  result?: UserImportCompletedData;
}

/** Where operators' views are read from; the persistence library implements it. */
export interface OperatorReadStore {
  userTimeline(tenantId: string, userId: string): Promise<UserTimeline>;
  /** Request and import ids are the tenant's own: another tenant may use the same. */
  request(tenantId: string, requestId: string): Promise<RequestSummary | undefined>;
  import(tenantId: string, importId: string): Promise<ImportSummary | undefined>;
  /** The requests and imports most recently active, newest first. */
  recentRequests(limit: number): Promise<RequestSummary[]>;
  recentImports(limit: number): Promise<ImportSummary[]>;
}
