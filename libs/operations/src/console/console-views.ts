import type { DeadLetter, DeadLetterTopic } from '@app/messaging';
import type { ImportSummary, RequestSummary, UserTimeline } from '../operator-views';

/**
 * What each console page is drawn from: the operators' views as read, nothing formatted yet.
 * ConsolePages turns them into text; the app only reads and picks the page.
 */

/** The dead-letter counts, or why they could not be read (the rest of the page still shows). */
export type DeadLetterCounts =
  { readable: true; topics: readonly DeadLetterTopic[] } | { readable: false };

export interface OverviewView {
  requests: readonly RequestSummary[];
  imports: readonly ImportSummary[];
  deadLetters: DeadLetterCounts;
  /** Reload every few seconds; an operator typing in the lookup form turns it off. */
  live: boolean;
}

export interface RequestView {
  request: RequestSummary;
}

export interface ImportView {
  import: ImportSummary;
}

export interface UserView {
  tenantId: string;
  userId: string;
  timeline: UserTimeline;
}

/** The lookup form alone: first visit, or nothing recorded about the user asked for. */
export interface UserLookupView {
  tenantId: string;
  userId: string;
  notFound: boolean;
}

export interface DeadLettersView {
  topic: DeadLetterTopic;
  letters: readonly DeadLetter[];
  /** Rows drawn at most; the counts by error code cover every letter read. */
  rowLimit: number;
}

export interface LoginView {
  /** The last attempt had the wrong token. */
  refused: boolean;
  /** Where to go after signing in: a path of this console. */
  next: string;
}

/** Pages that only say something: they need no view. */
export type ConsoleMessagePage =
  'not_found' | 'too_many_requests' | 'too_large' | 'unavailable' | 'error';

/** Every page and the view it is drawn from. */
export interface ConsoleViews extends Record<ConsoleMessagePage, Record<string, never>> {
  overview: OverviewView;
  request: RequestView;
  import: ImportView;
  user: UserView;
  user_lookup: UserLookupView;
  dead_letters: DeadLettersView;
  login: LoginView;
}

export type ConsolePageName = keyof ConsoleViews;
