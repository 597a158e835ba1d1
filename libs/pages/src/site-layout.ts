import type Handlebars from 'handlebars';

// The one HTML frame of everything a person opens in a browser: the verification pages, the
// operations console and the mail preview. Each site adds its header and footer as partials;
// the frame, the head and the stylesheet link are the same everywhere. (Mails have their own
// frame in @app/mail: mail clients strip <style> and need tables with inline styles.)

/** What the frame says about the page it draws; every site passes every field. */
export interface SiteFrame {
  lang: 'sv' | 'en';
  /** After the page title in <title>: "Flex HRM", "Driftkonsol". */
  site: string;
  stylesheet: string;
  /** Pages of work in progress reload themselves; scripts are never used. */
  refreshSeconds: number | null;
  /** A short page (sign-in, a message): drawn in a narrower frame. */
  narrow: boolean;
}

/**
 * Called as `{{#> layout title=...}}body{{/layout}}` (or with `title` in the context), with
 * `frame` (a SiteFrame) in the context.
 */
export const SITE_LAYOUT = `<!DOCTYPE html>
<html lang="{{frame.lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
{{#if frame.refreshSeconds}}<meta http-equiv="refresh" content="{{frame.refreshSeconds}}">
{{/if}}<title>{{title}} · {{frame.site}}</title>
<link rel="stylesheet" href="{{frame.stylesheet}}">
</head>
<body>
{{> siteHeader}}
<main{{#if frame.narrow}} class="narrow"{{/if}}>
{{> @partial-block}}
</main>
{{> siteFooter}}
</body>
</html>
`;

/** The brand bar of a site without a menu. */
export const PLAIN_SITE_HEADER = `<header class="top"><span class="brand">Flex HRM · Visma Connect</span></header>\n`;

type SiteHandlebars = ReturnType<typeof Handlebars.create>;
type CompileOptions = NonNullable<Parameters<SiteHandlebars['compile']>[1]>;

/**
 * Registers the frame as the `layout` partial, with the site's header and footer, compiled
 * with the options of the templates that use it (a string partial would be compiled lazily
 * with default options, not strict).
 */
export function registerSiteLayout(
  hbs: SiteHandlebars,
  options: CompileOptions,
  parts: { header: string; footer?: string },
): void {
  hbs.registerPartial('layout', hbs.compile(SITE_LAYOUT, options));
  hbs.registerPartial('siteHeader', hbs.compile(parts.header, options));
  hbs.registerPartial('siteFooter', hbs.compile(parts.footer ?? '', options));
}
