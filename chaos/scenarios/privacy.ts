import { join } from 'node:path';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, serializeEvent } from '@app/contracts';
import { fileRef, UploadFolder } from '../../test/support/import-files';
import { tokenIn } from '../../test/support/page-client';
import { waitFor } from '../../test/support/wait-for';
import { check, type Scenario, type ScenarioResult } from '../scenario';
import { World } from '../world';

// An address written out whole: a local part that is not the masked "x***".
const WHOLE_ADDRESS = /[A-Za-z0-9._%+-]*[A-Za-z0-9._%+-]@[A-Za-z0-9-]+\.[A-Za-z]{2,}/g;
const MASKED = /^.\*\*\*@/;

const HEADER = ['Användar-ID', 'E-post Visma Connect'];
// Rows rejected for their addresses, and one that is applied.
const ROWS = [
  ['anna', 'anna.svensson@firma.se'], // email_in_use: two users, one address
  ['bo', 'anna.svensson@firma.se'],
  ['cia', 'cia.ek@firma.se'], // duplicate_user: one user, two addresses
  ['cia', 'cia.berg@firma.se'],
  ['dan', '"dan@evil.example"@firma.se'], // invalid_email
  ['eva', 'eva.lind@firma.se'], // updated
];

/**
 * Scenario 9: the logs of every process of the whole run hold no verification token and no
 * address that is not masked. Runs last, over the worlds of the scenarios before it, and over
 * imports of its own whose every free-text field carries an address: the file's name, the
 * import's id, rejected rows, and a failure whose message names the file.
 */
export const privacy: Scenario = {
  name: 'logs-private',
  quick: true,
  async run(_size, worlds: World[]): Promise<ScenarioResult> {
    const imports = await importsWithAddresses();
    worlds.push(imports.world);
    const tokens = new Set<string>();
    for (const world of worlds)
      for (const mail of world.sink.mails) {
        const token = tokenIn(mail.parsed.text, world.env.PUBLIC_BASE_URL ?? '');
        if (token) tokens.add(token);
      }
    const lines = worlds.flatMap((w) => w.logLines.map((l) => JSON.stringify(l)));
    const leaks: string[] = [];
    for (const line of lines) {
      for (const token of tokens)
        if (line.includes(token)) leaks.push(`token in: ${line.slice(0, 200)}`);
      for (const address of line.match(WHOLE_ADDRESS) ?? [])
        if (!MASKED.test(address) && !address.endsWith('.local'))
          leaks.push(`address ${address} in: ${line.slice(0, 200)}`);
    }
    // The import's lines must name the masked addresses, or this scan proved nothing about them.
    const importLines = imports.world.logLines.map((l) => JSON.stringify(l));
    const masked = importLines.filter((l) => l.includes('***@f***.')).length;
    return {
      injected:
        `scanned ${lines.length} log lines of ${worlds.length} runs for ${tokens.size} tokens and ` +
        `every address, with 2 imports of addresses (${imports.reasons})`,
      counted: `${leaks.length} leaks; ${masked} import log lines with a masked address`,
      violations: [
        ...check(lines.length > 0, 'no log lines to scan'),
        ...check(masked > 0, 'the imports logged no masked address: nothing was tested'),
        ...imports.violations,
        ...leaks.slice(0, 5),
      ],
      deadLetters: [],
    };
  },
};

/** Runs the imports in a world of their own and closes it, so its logs are complete. */
async function importsWithAddresses(): Promise<{
  world: World;
  reasons: string;
  violations: string[];
}> {
  const world = await World.create('privacy', { LOG_LEVEL: 'info' });
  const uploads = new UploadFolder(world.env.IMPORT_FILE_ROOTS ?? '');
  const tenantId = 'chaos-privacy';
  const violations: string[] = [];
  let reasons = '';
  try {
    await world.start('import-worker', {
      IMPORT_REPORT_DIR: join(world.env.MAIL_OUTBOX_DIR ?? '', '..', 'reports'),
    });
    await world.watch('UserImportCompleted');
    const rows = uploads.csv('rader-anna.svensson@firma.se.csv', [HEADER, ...ROWS], {
      delimiter: ';',
      encoding: 'utf-8',
      bom: false,
    });
    const missing = fileRef(rows);
    const uploadsOf = [
      { importId: 'import-bo.berg@firma.se', file: fileRef(rows) },
      {
        importId: 'import-missing',
        file: {
          ...missing,
          uri: missing.uri.replace('rader-', 'saknas-'),
          name: 'saknas-cia.ek@firma.se.csv',
        },
      },
    ];
    await world.kafka.produce(
      world.topic('UserImportUploaded'),
      uploadsOf.map(({ importId, file }) => ({
        key: tenantId,
        value: serializeEvent(
          createEvent(
            'UserImportUploaded',
            {
              importId,
              tenantId,
              uploadedBy: { userId: 'admin' },
              template: 'employees-users',
              file,
            },
            { source: '/chaos', id: `upload-${importId}` },
          ),
        ),
        headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
      })),
    );
    const completions = () =>
      world.kafka.json<{ data: Record<string, unknown> }>(world.topic('UserImportCompleted'));
    await waitFor('both imports completed', () => completions().length >= uploadsOf.length, {
      timeoutMs: 120_000,
    });
    const [done, failed] = uploadsOf.map(
      (u) => completions().find((c) => c.data.importId === u.importId)?.data,
    );
    reasons = JSON.stringify(done?.reasons ?? {});
    violations.push(
      ...check(done?.rejected === 5, `expected 5 rejected rows, got ${JSON.stringify(done)}`),
      ...check(
        failed?.status === 'failed',
        `expected the missing file to fail, got ${JSON.stringify(failed)}`,
      ),
    );
  } finally {
    await world.close();
  }
  return { world, reasons, violations };
}
