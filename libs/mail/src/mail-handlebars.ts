import Handlebars from 'handlebars';
import { formatMailDate } from './format-date';
import { MAIL_LOCALES, type MailLocale } from './mail-types';
import { HTML_LAYOUT, TEXT_LAYOUT } from './templates/layout';

export type MailHandlebars = typeof Handlebars;
type CompileOptions = NonNullable<Parameters<MailHandlebars['compile']>[1]>;

/** Helpers the templates may call; anything else is a compile error (knownHelpersOnly). */
const KNOWN_HELPERS = { formatDate: true } as const;

/** Strict: a misspelt field throws instead of rendering an empty link or date. */
export const HTML_COMPILE_OPTIONS: CompileOptions = {
  strict: true,
  knownHelpers: KNOWN_HELPERS,
  knownHelpersOnly: true,
};

/** Plain text is not HTML: escaping would turn "Andersson & Söner" into "&amp;". */
export const TEXT_COMPILE_OPTIONS: CompileOptions = { ...HTML_COMPILE_OPTIONS, noEscape: true };

function isMailLocale(value: unknown): value is MailLocale {
  return MAIL_LOCALES.some((locale) => locale === value);
}

/**
 * An isolated Handlebars instance: helpers and partials registered here cannot leak into, or be
 * overridden by, any other code in the process that uses the global Handlebars.
 */
export function createMailHandlebars(): MailHandlebars {
  const hbs = Handlebars.create();
  hbs.registerHelper('formatDate', (value: unknown, locale: unknown): string => {
    if (!(value instanceof Date)) throw new TypeError('formatDate: expected a Date');
    if (!isMailLocale(locale)) throw new TypeError(`formatDate: unknown locale ${String(locale)}`);
    return formatMailDate(value, locale);
  });
  // Partials are compiled here with the options of the templates that use them: a string
  // partial would be compiled lazily with default options, escaping the plain-text layout.
  hbs.registerPartial('layout', hbs.compile(HTML_LAYOUT, HTML_COMPILE_OPTIONS));
  hbs.registerPartial('textLayout', hbs.compile(TEXT_LAYOUT, TEXT_COMPILE_OPTIONS));
  return hbs;
}
