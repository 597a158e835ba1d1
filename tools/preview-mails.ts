// Renders every mail template in every locale with its sample data, for a human to look at
// before a release (layout, wording, escaping). Usage:
//   node -r @swc-node/register tools/preview-mails.ts [--out artifacts/mail-preview]
// With /usr/bin/chromium present it also screenshots the Swedish HTML to PNG; otherwise skips.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import Handlebars from 'handlebars';
import { MAIL_LOCALES, MAIL_TEMPLATES, MailRenderer, type MailTemplateName } from '@app/mail';
import { PLAIN_SITE_HEADER, registerSiteLayout, SITE_STYLESHEET, type SiteFrame } from '@app/pages';

const CHROMIUM = '/usr/bin/chromium';

function outDirFrom(argv: readonly string[]): string {
  const at = argv.indexOf('--out');
  const value = at >= 0 ? argv[at + 1] : undefined;
  if (at >= 0 && !value) throw new Error('--out needs a directory');
  return resolve(value ?? 'artifacts/mail-preview');
}

/** The index in the frame of the pages and the console, with its stylesheet beside it. */
const INDEX = `{{#> layout title="Mail preview"}}
<h1>Mail preview</h1>
<p>Generated {{generatedAt}} from sample data.</p>
<ul>
{{#each mails}}<li><strong>{{base}}</strong>: {{subject}}<br><a href="{{files.html}}">HTML</a> · <a href="{{files.text}}">text</a> · <a href="{{files.subject}}">subject</a></li>
{{/each}}</ul>
{{/layout}}`;

interface PreviewRow {
  base: string;
  subject: string;
  files: { html: string; text: string; subject: string };
}

function renderIndex(mails: readonly PreviewRow[]): string {
  const hbs = Handlebars.create();
  const options = { strict: true, knownHelpers: {}, knownHelpersOnly: true };
  registerSiteLayout(hbs, options, { header: PLAIN_SITE_HEADER });
  const frame: SiteFrame = {
    lang: 'en',
    site: 'Flex HRM',
    stylesheet: STYLESHEET,
    refreshSeconds: null,
    narrow: false,
  };
  return hbs.compile(INDEX, options)({ frame, mails, generatedAt: new Date().toISOString() });
}

const STYLESHEET = 'site.css';

/** Best effort: a missing or failing browser must not fail the preview itself. */
async function screenshot(htmlFile: string, pngFile: string): Promise<boolean> {
  if (!existsSync(CHROMIUM)) return false;
  try {
    await promisify(execFile)(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        '--window-size=800,1400',
        `--screenshot=${pngFile}`,
        pathToFileURL(htmlFile).href,
      ],
      { timeout: 60_000 },
    );
    return existsSync(pngFile);
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const outDir = outDirFrom(process.argv.slice(2));
  mkdirSync(outDir, { recursive: true });
  const renderer = new MailRenderer();
  const written: string[] = [];
  const rows: PreviewRow[] = [];

  // Object.keys loses the key type; MAIL_TEMPLATES is typed by MailTemplateName.
  for (const name of Object.keys(MAIL_TEMPLATES) as MailTemplateName[]) {
    for (const locale of MAIL_LOCALES) {
      const mail = renderer.renderSample(name, locale);
      const base = `${name}.${locale}`;
      const files = {
        html: `${base}.html`,
        text: `${base}.txt`,
        subject: `${base}.subject.txt`,
      };
      writeFileSync(join(outDir, files.html), mail.html);
      writeFileSync(join(outDir, files.text), mail.text);
      writeFileSync(join(outDir, files.subject), `${mail.subject}\n`);
      written.push(...Object.values(files).map((file) => join(outDir, file)));
      rows.push({ base, subject: mail.subject, files });
    }
  }

  const index = join(outDir, 'index.html');
  writeFileSync(index, renderIndex(rows));
  writeFileSync(join(outDir, STYLESHEET), SITE_STYLESHEET);
  written.push(join(outDir, STYLESHEET));
  written.push(index);

  const png = join(outDir, 'verification.sv.png');
  if (await screenshot(join(outDir, 'verification.sv.html'), png)) written.push(png);

  for (const file of written) console.log(file);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
