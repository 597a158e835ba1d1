import Handlebars from 'handlebars';
import { registerSiteLayout, type SiteFrame } from '@app/pages';
import { clockTime } from './console-format';
import { CONSOLE_PATHS } from './console-paths';
import { CONSOLE_SAMPLES } from './console-samples';
import {
  CONSOLE_FOOTER,
  CONSOLE_HEADER,
  CONSOLE_PARTIALS,
  CONSOLE_SOURCES,
} from './console-templates';
import type { ConsolePageName, ConsoleViews } from './console-views';
import { deadLettersModel } from './dead-letters-model';
import { overviewModel } from './overview-model';
import { importPageModel, requestPageModel } from './progress-models';
import { userLookupModel, userPageModel } from './user-models';

/** What every page model says about its frame. */
interface PageModel {
  title: string;
  refreshSeconds: number | null;
  /** A short page (sign-in, a message): drawn in a narrower frame. */
  narrow?: boolean;
}

const message = (title: string) => (): PageModel => ({ title, refreshSeconds: null, narrow: true });

/** Each page's view turned into plain strings the template only places. */
const MODELS: { [K in ConsolePageName]: (view: ConsoleViews[K]) => PageModel } = {
  overview: overviewModel,
  request: requestPageModel,
  import: importPageModel,
  user: userPageModel,
  user_lookup: userLookupModel,
  dead_letters: deadLettersModel,
  login: (view) => ({ title: 'Logga in', refreshSeconds: null, narrow: true, ...view }),
  not_found: message('Finns inte'),
  too_many_requests: message('För många försök'),
  too_large: message('För mycket data'),
  unavailable: message('Kan inte läsa just nu'),
  error: message('Något gick fel'),
};

const COMPILE_OPTIONS = { strict: true, knownHelpers: {}, knownHelpersOnly: true } as const;

type Compiled = (model: object) => string;

/**
 * Renders the operations console: strict, isolated Handlebars as the verification pages (an
 * unknown field throws, no helper beyond the built-in blocks, every value escaped). Every page
 * is compiled and drawn from sample views in the constructor, so a broken template fails at
 * start-up rather than at an operator's first click.
 */
export class ConsolePages {
  private readonly compiled = new Map<ConsolePageName, Compiled>();

  /** @param now the clock of the "loaded at" footer; tests pass a fixed one. */
  constructor(private readonly now: () => Date = () => new Date()) {
    const hbs = Handlebars.create();
    registerSiteLayout(hbs, COMPILE_OPTIONS, { header: CONSOLE_HEADER, footer: CONSOLE_FOOTER });
    for (const [name, source] of Object.entries(CONSOLE_PARTIALS))
      hbs.registerPartial(name, hbs.compile(source, COMPILE_OPTIONS));
    for (const name of Object.keys(CONSOLE_SOURCES) as ConsolePageName[]) {
      this.compiled.set(name, hbs.compile(CONSOLE_SOURCES[name], COMPILE_OPTIONS));
      this.render(name, CONSOLE_SAMPLES[name], { signedIn: true });
    }
  }

  /** @param session whether the reader is signed in: only then are the menu and sign-out drawn. */
  render<K extends ConsolePageName>(
    name: K,
    view: ConsoleViews[K],
    session: { signedIn: boolean },
  ): string {
    const template = this.compiled.get(name);
    if (!template) throw new Error(`console page ${name} is not registered`);
    const model = MODELS[name](view);
    return template({ ...model, frame: this.frame(model, session.signedIn) });
  }

  /** Every page drawn from its sample view, signed in. */
  samples(): { name: ConsolePageName; html: string }[] {
    return (Object.keys(CONSOLE_SAMPLES) as ConsolePageName[]).map((name) => ({
      name,
      html: this.render(name, CONSOLE_SAMPLES[name], { signedIn: true }),
    }));
  }

  private frame(model: PageModel, signedIn: boolean): SiteFrame & Record<string, unknown> {
    return {
      lang: 'sv',
      site: 'Driftkonsol',
      refreshSeconds: model.refreshSeconds,
      narrow: model.narrow ?? false,
      signedIn,
      renderedAt: clockTime(this.now()),
      home: CONSOLE_PATHS.overview,
      users: CONSOLE_PATHS.users,
      login: CONSOLE_PATHS.login,
      logout: CONSOLE_PATHS.logout,
      stylesheet: CONSOLE_PATHS.stylesheet,
    };
  }
}
