import type { DeadLetter } from '@app/messaging';
import { maskEmailsIn } from '@app/observability';
import { count, shownTime } from './console-format';
import type { DeadLettersView } from './console-views';

/** Newest first: the letter an operator is asked about is usually the last one. */
function newestFirst(a: DeadLetter, b: DeadLetter): number {
  return (b.deadLetteredAt ?? '').localeCompare(a.deadLetteredAt ?? '');
}

function byCode(letters: readonly DeadLetter[]) {
  const counts = new Map<string, number>();
  for (const letter of letters) {
    const code = letter.errorCode ?? '–';
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return [...counts].sort(([, a], [, b]) => b - a).map(([code, n]) => ({ code, count: count(n) }));
}

export function deadLettersModel({ topic, letters, rowLimit }: DeadLettersView) {
  const shown = [...letters].sort(newestFirst).slice(0, rowLimit);
  return {
    title: `Döda meddelanden ${topic.sourceTopic}`,
    refreshSeconds: null,
    topic: topic.topic,
    sourceTopic: topic.sourceTopic,
    read: count(letters.length),
    shown: count(shown.length),
    truncated: shown.length < letters.length,
    byCode: byCode(letters),
    letters: shown.map((letter) => ({
      where: `p${letter.partition}@${letter.offset}`,
      at: shownTime(letter.deadLetteredAt),
      code: letter.errorCode ?? '–',
      // Error texts quote what was wrong, and that can be an address.
      message: letter.errorMessage ? String(maskEmailsIn(letter.errorMessage)) : '–',
      event:
        letter.eventId || letter.eventType
          ? { type: letter.eventType ?? '–', id: letter.eventId ?? '–' }
          : null,
      original: letter.original ?? '–',
    })),
  };
}
