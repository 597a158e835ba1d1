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
 * The last text per locale: the links of one batch are issued at one instant and expire at one,
 * and Intl's formatting costs more than the rest of a mail's rendering (bench mail, 13 µs).
 */
const lastFormatted: Record<MailLocale, { time: number; text: string } | undefined> = {
  sv: undefined,
  en: undefined,
};

/**
 * "onsdag 8 januari 2025 kl. 14:30 (svensk tid)" or
 * "Wednesday, 8 January 2025 at 14:30 (Swedish time)".
 */
export function formatMailDate(date: Date, locale: MailLocale): string {
  const time = date.getTime();
  if (Number.isNaN(time)) throw new RangeError('formatMailDate: invalid date');
  const last = lastFormatted[locale];
  if (last?.time === time) return last.text;
  const text = `${formatters[locale].format(date)} (${zoneLabel[locale]})`;
  lastFormatted[locale] = { time, text };
  return text;
}
