export type { PageCsrf } from './page-security';

/** Injection tokens for what the page needs beyond classes. */
export const PAGE_CSRF = Symbol('PAGE_CSRF');
export const PAGE_OPTIONS = Symbol('PAGE_OPTIONS');

export interface PageOptions {
  loginUrl: string;
  minResponseMs: number;
}
