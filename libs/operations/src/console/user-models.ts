import { maskEmailsIn } from '@app/observability';
import type { TimelineEntry, UserSummary } from '../operator-views';
import { shownTime, type ShownTime } from './console-format';
import {
  LINK_OUTCOME_LABELS,
  mailOutcomeBadge,
  USER_STATUSES,
  verificationMethodLabel,
  type Badge,
  type Label,
} from './console-labels';
import { CONSOLE_PATHS } from './console-paths';
import type { UserLookupView, UserView } from './console-views';

/** The views mask addresses already; masking again is harmless and guards against a slip. */
function masked(address: string): string {
  return String(maskEmailsIn(address));
}

interface TimelineRow extends Label {
  time: ShownTime | null;
  badge: Badge | null;
  request: { href: string; requestId: string } | null;
}

function describe(
  tenantId: string,
  entry: TimelineEntry,
): Label & Pick<TimelineRow, 'badge' | 'request'> {
  const none = { badge: null, request: null };
  switch (entry.kind) {
    case 'address_set':
      return {
        sv: 'Adressen sparades; tidigare länkar slutade gälla',
        en: 'Address saved; earlier links void',
        ...none,
      };
    case 'mail': {
      const address = masked(entry.maskedEmail);
      const until = shownTime(entry.expiresAt)?.text ?? '–';
      return {
        sv: `Verifieringsmejl till ${address}, länken gäller till ${until}`,
        en: `Verification mail to ${address}, link valid until ${until}`,
        badge: mailOutcomeBadge(entry.outcome),
        request: {
          href: CONSOLE_PATHS.request(tenantId, entry.requestId),
          requestId: entry.requestId,
        },
      };
    }
    case 'link_used': {
      const address = masked(entry.maskedEmail);
      return {
        sv: `Länken användes: ${address} verifierades på sidan`,
        en: `Link used: ${address} verified on the page`,
        ...none,
      };
    }
    case 'email_verified': {
      const method = verificationMethodLabel(entry.method);
      const outcome = LINK_OUTCOME_LABELS[entry.outcome];
      return {
        sv: `Verifiering via ${method.sv}: ${outcome.sv}`,
        en: `Verified through ${method.en}: ${outcome.en}`,
        ...none,
      };
    }
    case 'linked':
      return { sv: 'Kopplad till Visma Connect', en: 'Linked to Visma Connect', ...none };
  }
}

function facts(user: UserSummary) {
  return [
    { sv: 'Senaste mejl', en: 'Last mail sent', time: shownTime(user.lastSentAt) },
    { sv: 'Adress sparad', en: 'Address saved', time: shownTime(user.addressSetAt) },
    { sv: 'Verifierad', en: 'Verified', time: shownTime(user.verifiedAt) },
    { sv: 'Kopplad', en: 'Linked', time: shownTime(user.linkedAt) },
  ];
}

export function userPageModel({ tenantId, userId, timeline }: UserView) {
  const { user } = timeline;
  return {
    title: `Användare ${userId}`,
    refreshSeconds: null,
    tenantId,
    userId,
    user: user
      ? {
          status: USER_STATUSES[user.status],
          maskedEmail: user.maskedEmail ? masked(user.maskedEmail) : null,
          facts: facts(user),
        }
      : null,
    entries: timeline.entries.map((entry): TimelineRow => ({
      time: shownTime(entry.at),
      ...describe(tenantId, entry),
    })),
    lookup: { tenantId, userId },
  };
}

export function userLookupModel(view: UserLookupView) {
  return {
    title: view.notFound ? 'Användaren finns inte' : 'Sök användare',
    refreshSeconds: null,
    notFound: view.notFound,
    tenantId: view.tenantId,
    userId: view.userId,
    lookup: { tenantId: view.tenantId, userId: view.userId },
  };
}
