import type { Connection } from 'mongoose';
import {
  importSummaryOf,
  requestSummaryOf,
  timelineOf,
  type ImportSummary,
  type OperatorReadStore,
  type RequestSummary,
  type UserTimeline,
} from '@app/operations';
import { EmailVerifiedLogRepository } from '../linking/email-verified-log.repository';
import { UserImportRepository } from '../user-import/user-import.repository';
import { UserStateRepository } from '../user-state/user-state.repository';
import { LinkUseRepository } from '../verification-link/link-use.repository';
import { VerificationLinkRepository } from '../verification-link/verification-link.repository';
import { RequestProgressRepository } from '../verification-request/request-progress.repository';

/**
 * Operators' reads across the pipeline's collections. Read only: it writes nothing, creates no
 * index, and reads records by the ids the owning repositories key them by.
 */
export class OperatorReadRepository implements OperatorReadStore {
  private readonly states: UserStateRepository;
  private readonly links: VerificationLinkRepository;
  private readonly uses: LinkUseRepository;
  private readonly verifications: EmailVerifiedLogRepository;
  private readonly requests: RequestProgressRepository;
  private readonly imports: UserImportRepository;

  constructor(connection: Connection) {
    this.states = new UserStateRepository(connection);
    this.links = new VerificationLinkRepository(connection);
    this.uses = new LinkUseRepository(connection);
    this.verifications = new EmailVerifiedLogRepository(connection);
    this.requests = new RequestProgressRepository(connection);
    this.imports = new UserImportRepository(connection);
  }

  async userTimeline(tenantId: string, userId: string): Promise<UserTimeline> {
    const [[state], links, uses, verifications] = await Promise.all([
      this.states.findByUserIds(tenantId, [userId]),
      this.links.findByUser(tenantId, userId),
      this.uses.findByUser(tenantId, userId),
      this.verifications.findByUser(tenantId, userId),
    ]);
    const outcomes = await this.requests.outcomesOfSends([...new Set(links.map((l) => l.sendId))]);
    return timelineOf({ ...(state ? { state } : {}), links, outcomes, uses, verifications });
  }

  async request(tenantId: string, requestId: string): Promise<RequestSummary | undefined> {
    const progress = await this.requests.progress(tenantId, requestId);
    return progress ? requestSummaryOf(progress) : undefined;
  }

  async import(tenantId: string, importId: string): Promise<ImportSummary | undefined> {
    const record = await this.imports.find(tenantId, importId);
    return record ? importSummaryOf(record) : undefined;
  }

  async recentRequests(limit: number): Promise<RequestSummary[]> {
    const recent = await this.requests.recentRequests(limit);
    const summaries = await Promise.all(recent.map((r) => this.request(r.tenantId, r.requestId)));
    return summaries.filter((s): s is RequestSummary => s !== undefined);
  }

  async recentImports(limit: number): Promise<ImportSummary[]> {
    return (await this.imports.recent(limit)).map(importSummaryOf);
  }
}
