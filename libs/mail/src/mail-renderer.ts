import {
  createMailHandlebars,
  HTML_COMPILE_OPTIONS,
  TEXT_COMPILE_OPTIONS,
  type MailHandlebars,
} from './mail-handlebars';
import {
  MAIL_LOCALES,
  perLocale,
  type MailLocale,
  type MailTemplateName,
  type MailTemplateRegistry,
  type MailTemplates,
  type RenderedMail,
} from './mail-types';
import { MAIL_TEMPLATES } from './templates';

type Part = keyof RenderedMail;
type CompiledPart = (view: Record<string, unknown>) => string;
type CompiledMail = Readonly<Record<Part, CompiledPart>>;

/** A template that does not compile or render; names the template, locale and part. */
export class MailTemplateError extends Error {
  /** Read by the messaging layer's classifyFailure: rendering again fails again, never retry. */
  readonly failureKind = 'permanent';

  constructor(where: string, cause: unknown) {
    super(`mail template ${where}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'MailTemplateError';
  }
}

/**
 * Renders the product's mails. Every template is compiled and rendered once with its sample data
 * in the constructor: Handlebars compiles lazily, so without that a broken template would only
 * fail at the first real send instead of at start-up. Create one instance per process.
 */
export class MailRenderer {
  private readonly compiled = new Map<
    MailTemplateName,
    Readonly<Record<MailLocale, CompiledMail>>
  >();

  constructor(private readonly templates: MailTemplateRegistry = MAIL_TEMPLATES) {
    const hbs = createMailHandlebars();
    // Object.keys loses the key type; the registry's type guarantees these are its names.
    for (const name of Object.keys(templates) as MailTemplateName[]) {
      const { sources } = templates[name];
      this.compiled.set(
        name,
        perLocale((locale) => compileMail(hbs, `${name}.${locale}`, sources[locale])),
      );
      for (const locale of MAIL_LOCALES) this.renderSample(name, locale);
    }
  }

  /** The template with its own sample data: the start-up check and the preview tool. */
  renderSample<K extends MailTemplateName>(name: K, locale: MailLocale): RenderedMail {
    return this.render(name, locale, this.templates[name].sample);
  }

  render<K extends MailTemplateName>(
    name: K,
    locale: MailLocale,
    data: MailTemplates[K],
  ): RenderedMail {
    const compiled = this.compiled.get(name)?.[locale];
    if (!compiled) throw new MailTemplateError(`${name}.${locale}`, 'not registered');
    const view = this.templates[name].view(data);
    const subject = oneLine(run(compiled.subject, view, `${name}.${locale}.subject`));
    // The layout's <title> shows the subject, so the HTML sees it too.
    const withSubject = { ...view, subject };
    return {
      subject,
      html: run(compiled.html, withSubject, `${name}.${locale}.html`),
      text: tidyText(run(compiled.text, withSubject, `${name}.${locale}.text`)),
    };
  }
}

function compileMail(
  hbs: MailHandlebars,
  where: string,
  source: Readonly<Record<Part, string>>,
): CompiledMail {
  const compile = (part: Part, options: typeof HTML_COMPILE_OPTIONS): CompiledPart => {
    try {
      // precompile parses and code-generates eagerly, so a syntax error or an unknown helper
      // (knownHelpersOnly) surfaces here; compile() alone would defer both to the first render.
      hbs.precompile(source[part], options);
      return hbs.compile<Record<string, unknown>>(source[part], options);
    } catch (error) {
      throw new MailTemplateError(`${where}.${part}`, error);
    }
  };
  return {
    // A subject is a header, not HTML: it must not be escaped.
    subject: compile('subject', TEXT_COMPILE_OPTIONS),
    html: compile('html', HTML_COMPILE_OPTIONS),
    text: compile('text', TEXT_COMPILE_OPTIONS),
  };
}

function run(template: CompiledPart, view: Record<string, unknown>, where: string): string {
  try {
    return template(view);
  } catch (error) {
    throw new MailTemplateError(where, error);
  }
}

/** Header values are one line; a stray newline in data must not break the subject. */
function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** Template line breaks around block tags leave ragged blank lines; keep at most one. */
function tidyText(value: string): string {
  return `${value
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
