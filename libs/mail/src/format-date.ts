import type { MailLocale } from './mail-types';

// Expiry times are Swedish wall-clock time whatever zone the server runs in, and say so,
// because a recipient abroad would otherwise misread them.
const TIME_ZONE = 'Europe/Stockholm';

const formatters: Readonly<Record<MailLocale, Intl.DateTimeFormat>> = {
  sv: longDateTime('sv-SE'),
  en: longDateTime('en-GB'),
};

const zoneLabel: Readonly<Record<MailLocale, string>> = {
  sv: 'svensk tid',
  en: 'Swedish time',
};

function longDateTime(tag: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(tag, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: TIME_ZONE,
  });
}

/**
 * "onsdag 8 januari 2025 kl. 14:30 (svensk tid)" or
 * "Wednesday, 8 January 2025 at 14:30 (Swedish time)".
 */
export function formatMailDate(date: Date, locale: MailLocale): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('formatMailDate: invalid date');
  return `${formatters[locale].format(date)} (${zoneLabel[locale]})`;
}
