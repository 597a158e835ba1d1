// Operators compare times with logs and with each other, so the console shows them to the
// second, in Swedish wall-clock time whatever zone the server runs in (the footer says so).
const TIME = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

const CLOCK = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

const COUNT = new Intl.NumberFormat('sv-SE');

/** A time shown on a page, with its exact instant for the `<time>` element. */
export interface ShownTime {
  text: string;
  iso: string;
}

/** "2026-01-08 14:30:05", or null when there is no time (the template shows a dash). */
export function shownTime(date: Date | string | undefined): ShownTime | null {
  if (date === undefined) return null;
  const instant = typeof date === 'string' ? new Date(date) : date;
  // A header written by another producer may hold anything: show it as it is.
  if (Number.isNaN(instant.getTime())) return { text: String(date), iso: '' };
  return { text: TIME.format(instant), iso: instant.toISOString() };
}

/** "14:30:05": when the page was drawn. */
export function clockTime(date: Date): string {
  return CLOCK.format(date);
}

/** "12 345": figures as Swedish readers group them. */
export function count(n: number): string {
  return COUNT.format(n);
}

/** What a progress bar shows: done of total, or only done while the total is not known yet. */
export interface Progress {
  value: number;
  /** null: the total is not known yet (the bar is drawn indeterminate). */
  max: number | null;
  text: string;
}

export function progressOf(done: number, total: number | undefined): Progress {
  if (total === undefined) return { value: done, max: null, text: `${count(done)} / ?` };
  // Nothing to do (a file that failed before its first row): an empty bar, not a guess.
  if (total <= 0) return { value: 0, max: 1, text: `${count(done)} / 0` };
  const percent = Math.floor(Math.min(1, Math.max(0, done / total)) * 100);
  return {
    value: Math.min(done, total),
    max: total,
    text: `${count(done)} / ${count(total)} (${percent} %)`,
  };
}
