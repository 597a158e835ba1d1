/** Swedish first: the users are Swedish, English is offered beside it (seed README). */
export type MailLocale = 'sv' | 'en';

export const MAIL_LOCALES: readonly MailLocale[] = ['sv', 'en'];
export const DEFAULT_MAIL_LOCALE: MailLocale = 'sv';

/** One value per locale; adding a locale to MailLocale makes every call site a compile error. */
export function perLocale<T>(make: (locale: MailLocale) => T): Record<MailLocale, T> {
  return { sv: make('sv'), en: make('en') };
}

/** What a verification mail needs; `displayName` and `companyName` are optional in the events. */
export type VerificationMailData = {
  displayName?: string;
  email: string;
  verifyUrl: string;
  expiresAt: Date;
  loginUrl: string;
  companyName?: string;
};

/**
 * Every template by name, tied to the data it renders. Adding a template here makes the
 * compiler demand its sources, sample and view in the registry (templates/index.ts).
 */
export type MailTemplates = {
  verification: VerificationMailData;
};

export type MailTemplateName = keyof MailTemplates;

export type RenderedMail = { subject: string; html: string; text: string };

/** Handlebars sources of one template in one locale. */
export type MailTemplateSource = { subject: string; html: string; text: string };

export type MailTemplateDefinition<D> = {
  sources: Readonly<Record<MailLocale, MailTemplateSource>>;
  /**
   * Turns the caller's data into what the templates read. Every key is present (possibly
   * undefined) because the templates compile in strict mode, where a misspelt field throws.
   */
  view: (data: D) => Record<string, unknown>;
  /** Realistic data: rendered once at start-up to prove the template works, and by the preview. */
  sample: D;
};

export type MailTemplateRegistry = {
  readonly [K in MailTemplateName]: MailTemplateDefinition<MailTemplates[K]>;
};

/** Falls back to Swedish for a missing or unknown locale (events carry `locale` optionally). */
export function mailLocaleOf(value: string | undefined | null): MailLocale {
  const normalized = value?.trim().toLowerCase().slice(0, 2);
  return MAIL_LOCALES.find((locale) => locale === normalized) ?? DEFAULT_MAIL_LOCALE;
}
