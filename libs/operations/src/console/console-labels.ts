import type {
  ImportRejectionReason,
  SkipReason,
  VerificationMethod,
  VerificationStatus,
} from '@app/contracts';
import type { LinkOutcome, OutcomeValue } from '@app/verification';
import type { ImportPhase, RequestPhase } from '../operator-views';

/** A word in Swedish with its English beside it; the contract's code stays visible for support. */
export interface Label {
  sv: string;
  en: string;
}

/** How a state is coloured: the same four tones everywhere, so a glance is enough. */
export type Tone = 'running' | 'done' | 'failed' | 'neutral';

export interface Badge extends Label {
  tone: Tone;
}

export const REQUEST_PHASES: Readonly<Record<RequestPhase, Badge>> = {
  receiving: { sv: 'Tar emot delar', en: 'Receiving parts', tone: 'running' },
  sending: { sv: 'Skickar', en: 'Sending', tone: 'running' },
  completed: { sv: 'Klar', en: 'Completed', tone: 'done' },
};

export const IMPORT_PHASES: Readonly<Record<ImportPhase, Badge>> = {
  running: { sv: 'Pågår', en: 'Running', tone: 'running' },
  completed: { sv: 'Klar', en: 'Completed', tone: 'done' },
  failed: { sv: 'Misslyckades', en: 'Failed', tone: 'failed' },
};

export const USER_STATUSES: Readonly<Record<VerificationStatus, Badge>> = {
  no_email: { sv: 'Saknar adress', en: 'No address', tone: 'neutral' },
  unverified: { sv: 'Ej verifierad', en: 'Unverified', tone: 'neutral' },
  verification_sent: { sv: 'Verifieringsmejl skickat', en: 'Mail sent', tone: 'running' },
  verified: { sv: 'Verifierad', en: 'Verified', tone: 'done' },
  linked: { sv: 'Kopplad till Visma Connect', en: 'Linked', tone: 'done' },
};

export const SKIP_REASON_LABELS: Readonly<Record<SkipReason, Label>> = {
  no_email: { sv: 'Saknar e-postadress', en: 'No address' },
  invalid_email: { sv: 'Ogiltig e-postadress', en: 'Invalid address' },
  already_verified: { sv: 'Redan verifierad', en: 'Already verified' },
  already_linked: { sv: 'Redan kopplad', en: 'Already linked' },
  recently_sent: { sv: 'Nyligen skickat', en: 'Recently sent' },
};

export const REJECTION_REASON_LABELS: Readonly<Record<ImportRejectionReason, Label>> = {
  invalid_email: { sv: 'Ogiltig e-postadress', en: 'Invalid address' },
  already_linked: { sv: 'Redan kopplad till Visma Connect', en: 'Already linked' },
  missing_user_id: { sv: 'Användar-ID saknas', en: 'Missing user id' },
  duplicate_user: { sv: 'Användaren finns flera gånger', en: 'Duplicate user' },
  email_in_use: { sv: 'Adressen används av en annan användare', en: 'Address in use' },
};

const MAIL_STATES: Readonly<Record<'due' | 'sent' | 'failed' | 'unknown', Badge>> = {
  due: { sv: 'skickas', en: 'being sent', tone: 'running' },
  sent: { sv: 'skickat', en: 'sent', tone: 'done' },
  failed: { sv: 'misslyckades', en: 'failed', tone: 'failed' },
  unknown: { sv: 'okänt', en: 'unknown', tone: 'neutral' },
};

function isMailState(outcome: OutcomeValue | 'unknown'): outcome is keyof typeof MAIL_STATES {
  return Object.keys(MAIL_STATES).includes(outcome);
}

/** What became of one mail: its delivery state, or why the user was skipped after all. */
export function mailOutcomeBadge(outcome: OutcomeValue | 'unknown'): Badge {
  if (isMailState(outcome)) return MAIL_STATES[outcome];
  return { ...SKIP_REASON_LABELS[outcome], tone: 'neutral' };
}

export const LINK_OUTCOME_LABELS: Readonly<Record<LinkOutcome, Label>> = {
  linked: { sv: 'kopplade användaren', en: 'linked the user' },
  already_linked: { sv: 'redan kopplad', en: 'already linked' },
  stale: { sv: 'gällde en äldre adress, ignorerades', en: 'stale address, ignored' },
  unknown_user: { sv: 'okänd användare', en: 'unknown user' },
};

const VERIFICATION_METHOD_LABELS: Readonly<Record<VerificationMethod, Label>> = {
  link: { sv: 'länken i mejlet', en: 'the mail link' },
  'visma-connect': { sv: 'Visma Connect', en: 'Visma Connect' },
};

/** The timeline keeps the method as recorded; one the contract does not know shows as it is. */
export function verificationMethodLabel(method: string): Label {
  const known = Object.entries(VERIFICATION_METHOD_LABELS).find(([name]) => name === method);
  return known ? known[1] : { sv: method, en: method };
}
