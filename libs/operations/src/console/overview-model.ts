import { count } from './console-format';
import type { Tone } from './console-labels';
import { CONSOLE_PATHS } from './console-paths';
import type { OverviewView } from './console-views';
import { importRow, REFRESH_SECONDS, requestRow } from './progress-models';

interface Tile {
  value: string;
  sv: string;
  en: string;
  tone: Tone;
}

function deadLetterModel(view: OverviewView['deadLetters']) {
  if (!view.readable) return { readable: false, total: null, topics: [] };
  const topics = view.topics
    .filter((t) => t.messages > 0)
    .map((t) => ({
      href: CONSOLE_PATHS.deadLetters(t.sourceTopic),
      topic: t.topic,
      sourceTopic: t.sourceTopic,
      messages: count(t.messages),
    }));
  const total = view.topics.reduce((n, t) => n + t.messages, 0);
  return { readable: true, total, topics };
}

export function overviewModel(view: OverviewView) {
  const requestsInProgress = view.requests.filter((r) => r.phase !== 'completed');
  const importsInProgress = view.imports.filter((i) => i.phase === 'running');
  const deadLetters = deadLetterModel(view.deadLetters);
  const tiles: Tile[] = [
    {
      value: count(requestsInProgress.length),
      sv: 'Pågående utskick',
      en: 'Requests in progress',
      tone: requestsInProgress.length > 0 ? 'running' : 'neutral',
    },
    {
      value: count(importsInProgress.length),
      sv: 'Pågående importer',
      en: 'Imports in progress',
      tone: importsInProgress.length > 0 ? 'running' : 'neutral',
    },
    {
      value: deadLetters.total === null ? '?' : count(deadLetters.total),
      sv: 'Döda meddelanden',
      en: 'Dead letters',
      tone: deadLetters.total === 0 ? 'done' : 'failed',
    },
  ];
  return {
    title: 'Översikt',
    refreshSeconds: view.live ? REFRESH_SECONDS : null,
    live: view.live
      ? { href: `${CONSOLE_PATHS.overview}?live=0`, sv: 'Pausa uppdateringen', en: 'Pause updates' }
      : { href: CONSOLE_PATHS.overview, sv: 'Uppdatera automatiskt', en: 'Update automatically' },
    tiles,
    requestsInProgress: requestsInProgress.map(requestRow),
    requestsFinished: view.requests.filter((r) => r.phase === 'completed').map(requestRow),
    importsInProgress: importsInProgress.map(importRow),
    importsFinished: view.imports.filter((i) => i.phase !== 'running').map(importRow),
    deadLetters,
    lookup: { tenantId: '', userId: '' },
  };
}
