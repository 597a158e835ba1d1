import { maskEmail } from '@app/observability';
import type { EmailVerifiedRecord, OutcomeValue, UserState } from '@app/verification';
import type { TimelineEntry, UserSummary, UserTimeline } from './operator-views';

/** Everything recorded about one user, as read from the stores. */
export interface UserRecords {
  state?: UserState;
  links: readonly {
    requestId: string;
    sendId: string;
    email: string;
    issuedAt: Date;
    expiresAt: Date;
  }[];
  /** The mail step's outcome by send id. */
  outcomes: ReadonlyMap<string, OutcomeValue>;
  uses: readonly { email: string; usedAt: Date }[];
  verifications: readonly EmailVerifiedRecord[];
}

export function timelineOf(records: UserRecords): UserTimeline {
  const { state } = records;
  const entries: TimelineEntry[] = [
    ...records.links.map((link): TimelineEntry => ({
      at: link.issuedAt,
      kind: 'mail',
      requestId: link.requestId,
      maskedEmail: maskEmail(link.email),
      outcome: records.outcomes.get(link.sendId) ?? 'unknown',
      expiresAt: link.expiresAt,
    })),
    ...records.uses.map((use): TimelineEntry => ({
      at: use.usedAt,
      kind: 'link_used',
      maskedEmail: maskEmail(use.email),
    })),
    ...records.verifications.map((v): TimelineEntry => ({
      at: v.handledAt,
      kind: 'email_verified',
      method: v.method,
      outcome: v.outcome,
    })),
    ...(state?.addressSetAt ? [{ at: state.addressSetAt, kind: 'address_set' as const }] : []),
    ...(state?.linkedAt ? [{ at: state.linkedAt, kind: 'linked' as const }] : []),
  ];
  // Stable: entries of the same instant keep the order above (a mail before its use).
  entries.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { ...(state ? { user: userSummaryOf(state) } : {}), entries };
}

function userSummaryOf(state: UserState): UserSummary {
  return {
    tenantId: state.tenantId,
    userId: state.userId,
    status: state.status,
    ...(state.email ? { maskedEmail: maskEmail(state.email) } : {}),
    ...(state.lastSentAt ? { lastSentAt: state.lastSentAt } : {}),
    ...(state.addressSetAt ? { addressSetAt: state.addressSetAt } : {}),
    ...(state.verifiedAt ? { verifiedAt: state.verifiedAt } : {}),
    ...(state.linkedAt ? { linkedAt: state.linkedAt } : {}),
  };
}
