import Handlebars from 'handlebars';
import { formatMailDate } from '@app/mail';
import { PAGE_SOURCES } from './page-templates';
import { PLAIN_SITE_HEADER, registerSiteLayout, type SiteFrame } from './site-layout';

/** What each page needs; a page without fields renders from the frame's data alone. */
export interface PageViews {
  confirm: { maskedEmail: string; expiresAt: Date; csrfToken: string };
  verified: { loginUrl: string };
  already_verified: { loginUrl: string };
  link_unknown: Record<string, never>;
  link_expired: Record<string, never>;
  link_voided: Record<string, never>;
  form_expired: Record<string, never>;
  too_many_requests: Record<string, never>;
  too_large: Record<string, never>;
  not_found: Record<string, never>;
  error: Record<string, never>;
}

export type PageName = keyof PageViews;

const SAMPLES: { [K in PageName]: PageViews[K] } = {
  confirm: {
    maskedEmail: 'a***@e***.se',
    expiresAt: new Date('2026-01-08T13:30:00Z'),
    csrfToken: 'sample',
  },
  verified: { loginUrl: 'https://connect.visma.com/' },
  already_verified: { loginUrl: 'https://connect.visma.com/' },
  link_unknown: {},
  link_expired: {},
  link_voided: {},
  form_expired: {},
  too_many_requests: {},
  too_large: {},
  not_found: {},
  error: {},
};

type Compiled = (view: object) => string;

/**
 * Renders the verification pages: the same strict, isolated Handlebars set-up as the mails
 * (unknown fields and helpers throw, values are escaped). Every page is compiled and rendered
 * with sample data in the constructor, so a broken template fails at start-up.
 */
export class PageRenderer {
  private readonly compiled = new Map<PageName, Compiled>();
  private readonly frame: SiteFrame;

  /** @param assetsPath where /assets is mounted, as seen from a page, e.g. "/assets". */
  constructor(assetsPath = '/assets') {
    const hbs = Handlebars.create();
    const options = { strict: true, knownHelpers: { formatDate: true }, knownHelpersOnly: true };
    hbs.registerHelper('formatDate', (value: unknown, locale: unknown): string => {
      if (!(value instanceof Date)) throw new TypeError('formatDate: expected a Date');
      if (locale !== 'sv' && locale !== 'en') throw new TypeError('formatDate: sv or en');
      return formatMailDate(value, locale);
    });
    registerSiteLayout(hbs, options, { header: PLAIN_SITE_HEADER });
    this.frame = {
      lang: 'sv',
      site: 'Flex HRM',
      stylesheet: `${assetsPath}/page.css`,
      refreshSeconds: null,
      narrow: false,
    };
    for (const name of Object.keys(PAGE_SOURCES) as PageName[]) {
      this.compiled.set(name, hbs.compile(PAGE_SOURCES[name], options));
      this.render(name, SAMPLES[name]);
    }
  }

  render<K extends PageName>(name: K, view: PageViews[K]): string {
    const template = this.compiled.get(name);
    if (!template) throw new Error(`page template ${name} is not registered`);
    return template({ ...view, frame: this.frame });
  }

  /** Every page with sample data: for the preview command. */
  samples(): { name: PageName; html: string }[] {
    return (Object.keys(SAMPLES) as PageName[]).map((name) => ({
      name,
      html: this.render(name, SAMPLES[name]),
    }));
  }
}
