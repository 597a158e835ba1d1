import { dirname, join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mongoose from 'mongoose';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, dlqTopicOf, serializeEvent } from '@app/contracts';
import { fetchImportFile, openSheet } from '@app/import-files';
import { UserStateRepository } from '@app/persistence';
import type { UserState } from '@app/verification';
import {
  startImportWorker,
  type RunningImportWorker,
} from '../../apps/import-worker/src/bootstrap';
import {
  startVerificationWorker,
  type RunningWorker,
} from '../../apps/verification-worker/src/bootstrap';
import { fileRef, UploadFolder } from '../support/import-files';
import { KafkaTestClient } from '../support/kafka-test-client';
import { SmtpSink } from '../support/smtp-sink';
import { isolatedEnv } from '../support/test-env';
import { scrapeMetrics } from '../support/metrics-scrape';
import { waitFor } from '../support/wait-for';

const run = (command: string, args: string[]) =>
  promisify(execFile)(command, args, {
    cwd: join(__dirname, '../..'),
    env: { ...process.env, MONGODB_URI: envOf().MONGODB_URI },
  });
let envOf: () => Record<string, string>;

type Completed = { data: Record<string, unknown> & { importId: string } };

const HEADER = ['Användar-ID', 'Namn', 'E-post Visma Connect', 'Avdelning'];
// Every row outcome of the contract, with the state each row meets.
const ROWS = [
  ['anna', 'Anna Ärlig', 'ANNA@example.se', 'Lön'], // unchanged: same address
  ['bo', 'Bo Bunden', 'bo.new@example.se', 'Lön'], // already_linked (R8)
  ['cia', 'Cia Ny', 'cia@example.se', 'IT'], // updated: had none
  ['dan', 'Dan Flytt', 'dan.new@example.se', 'IT'], // updated: voids his old links
  ['eva', 'Eva Annan', 'anna@example.se', 'IT'], // email_in_use
  ['', 'Utan Id', 'x@example.se', 'IT'], // missing_user_id
  ['fia', '=1+1', 'inte en adress', 'IT'], // invalid_email (R9); a formula as a name
  ['gus', 'Gus Två', 'gus1@example.se', 'IT'], // duplicate_user
  ['gus', 'Gus Två', 'gus2@example.se', 'IT'], // duplicate_user
  ['hal', 'Hal Tom', '', 'IT'], // unchanged: empty cell
  ['nyanställd', 'Ny Anställd', 'ny@example.se', 'IT'], // updated: not known before
];
const EXPECTED_COUNTS = {
  status: 'completed',
  rows: 11,
  updated: 3,
  unchanged: 2,
  rejected: 6,
  reasons: {
    already_linked: 1,
    email_in_use: 1,
    missing_user_id: 1,
    invalid_email: 1,
    duplicate_user: 2,
  },
};

// Imports on the real broker and database: files in every accepted shape, and broken ones.
describe('address import (real Kafka and MongoDB)', () => {
  const sink = new SmtpSink();
  let env: Record<string, string>;
  let kafka: KafkaTestClient;
  let importer: RunningImportWorker;
  let verifier: RunningWorker;
  let db: mongoose.Connection;
  let states: UserStateRepository;
  let uploads: UploadFolder;
  const dayAgo = new Date(Date.now() - 86_400_000);

  beforeAll(async () => {
    await sink.start();
    env = {
      ...isolatedEnv('import'),
      SMTP_URL: sink.url,
      IMPORT_MAX_BYTES: '2000000',
      IMPORT_XLSX_MAX_MEMORY_MB: '96',
    };
    env.IMPORT_REPORT_DIR = join(env.MAIL_OUTBOX_DIR!, '..', 'reports');
    envOf = () => env;
    uploads = new UploadFolder(join(env.MAIL_OUTBOX_DIR!, '..', 'uploads'));
    kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
    importer = await startImportWorker(env);
    verifier = await startVerificationWorker(env);
    await kafka.watch([
      env.TOPIC_USER_IMPORT_COMPLETED!,
      env.TOPIC_VERIFICATION_STATUS_CHANGED!,
      dlqTopicOf(env.TOPIC_USER_IMPORT_UPLOADED!),
    ]);
    db = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
    states = new UserStateRepository(db);
  });
  afterAll(async () => {
    await importer?.stop();
    await verifier?.stop();
    await kafka?.close();
    await sink.stop();
    await db?.dropDatabase();
    await db?.close();
  });

  async function seed(tenantId: string): Promise<void> {
    const state = (userId: string, email: string | null, status: UserState['status']) => ({
      state: { tenantId, userId, email, status, addressSetAt: dayAgo },
      events: [],
    });
    await states.saveMany([
      state('anna', 'anna@example.se', 'verification_sent'),
      state('bo', 'bo@example.se', 'linked'),
      state('cia', null, 'no_email'),
      state('dan', 'dan.old@example.se', 'unverified'),
      state('eva', 'eva@example.se', 'verified'),
    ]);
  }

  async function upload(
    tenantId: string,
    path: string,
    extra: { importId?: string; verifyAfterImport?: boolean; sha256?: string } = {},
  ): Promise<Completed['data']> {
    const importId = extra.importId ?? `imp-${tenantId}`;
    await produceUpload(tenantId, path, { ...extra, importId });
    const completed = await waitFor(`UserImportCompleted of ${importId}`, () =>
      completionsOf(importId).at(0),
    );
    return completed.data;
  }

  async function produceUpload(
    tenantId: string,
    path: string,
    extra: { importId: string; verifyAfterImport?: boolean; sha256?: string; eventId?: string },
  ): Promise<void> {
    const { importId } = extra;
    const file = { ...fileRef(path), ...(extra.sha256 ? { sha256: extra.sha256 } : {}) };
    const event = createEvent(
      'UserImportUploaded',
      {
        importId,
        tenantId,
        uploadedBy: { userId: 'admin' },
        template: 'employees-users',
        file,
        verifyAfterImport: extra.verifyAfterImport ?? false,
      },
      { source: '/flex-hrm/test', id: extra.eventId ?? `upload-${importId}` },
    );
    await kafka.produce(env.TOPIC_USER_IMPORT_UPLOADED!, [
      {
        key: tenantId,
        value: serializeEvent(event),
        headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
      },
    ]);
  }
  const completionsOf = (importId: string) =>
    kafka
      .json<Completed>(env.TOPIC_USER_IMPORT_COMPLETED!)
      .filter((e) => e.data.importId === importId);

  async function reportOf(completed: Completed['data']) {
    const path = fileURLToPath(String(completed.reportUri));
    const file = await fetchImportFile(
      { uri: String(completed.reportUri), sizeBytes: 0 },
      {
        maxBytes: 10_000_000,
        timeoutMs: 5000,
        tenantId: 'test',
        locations: {
          files: { roots: [dirname(path)], layout: 'flat' },
          https: { allowedHosts: [] },
        },
      },
    );
    const sheet = await openSheet(file, { maxRows: 1000, maxMemoryMb: 64, timeoutMs: 5000 });
    const rows: string[][] = [];
    for await (const row of sheet.rows()) rows.push(row);
    return { path, sheet, rows };
  }

  it.each([
    [
      'CSV with semicolons, UTF-8 with BOM',
      'csv',
      { delimiter: ';', encoding: 'utf-8', bom: true },
    ],
    [
      'CSV with commas, UTF-8 without BOM',
      'csv',
      { delimiter: ',', encoding: 'utf-8', bom: false },
    ],
    [
      'CSV with semicolons, Windows-1252',
      'csv',
      { delimiter: ';', encoding: 'windows-1252', bom: false },
    ],
    ['XLSX', 'xlsx', undefined],
  ] as const)(
    'imports %s: every row outcome, the states, the report (R7, R8, R9)',
    async (name, format, dialect) => {
      const tenantId = `t-${name.replace(/[^a-z0-9]/gi, '').slice(0, 24)}`;
      await seed(tenantId);
      const path =
        format === 'xlsx'
          ? await uploads.xlsx(`${tenantId}.xlsx`, [HEADER, ...ROWS])
          : uploads.csv(`${tenantId}.csv`, [HEADER, ...ROWS], dialect);

      const completed = await upload(tenantId, path);
      expect(completed).toMatchObject(EXPECTED_COUNTS);

      const after = new Map(
        (
          await states.findByUserIds(tenantId, [
            'anna',
            'bo',
            'cia',
            'dan',
            'eva',
            'nyanställd',
            'gus',
          ])
        ).map((s) => [s.userId, s]),
      );
      expect(after.get('cia')).toMatchObject({ email: 'cia@example.se', status: 'unverified' });
      expect(after.get('dan')?.email).toBe('dan.new@example.se');
      // A later addressSetAt voids the links sent to the old address.
      expect(after.get('dan')?.addressSetAt?.getTime()).toBeGreaterThan(dayAgo.getTime());
      expect(after.get('nyanställd')?.email).toBe('ny@example.se');
      expect(after.get('bo')).toMatchObject({ email: 'bo@example.se', status: 'linked' });
      expect(after.get('eva')?.email).toBe('eva@example.se');
      expect(after.get('anna')?.email).toBe('anna@example.se');
      expect(after.has('gus')).toBe(false);

      const report = await reportOf(completed);
      expect(report.sheet.format).toBe(format);
      if (dialect)
        expect(report.sheet.csv).toEqual({ ...dialect, bom: dialect.encoding === 'utf-8' });
      expect(report.rows[0]).toEqual([...HEADER, 'Status', 'Orsak']);
      const byUser = (userId: string) => report.rows.filter((r) => r[0] === userId);
      expect(byUser('bo')[0]?.slice(4)).toEqual([
        'Avvisad (rejected)',
        'Användaren är redan kopplad till Visma Connect (already_linked)',
      ]);
      expect(byUser('cia')[0]?.[4]).toBe('Uppdaterad (updated)');
      expect(byUser('gus').map((r) => r[5])).toEqual([
        expect.stringContaining('duplicate_user'),
        expect.stringContaining('duplicate_user'),
      ]);
      // A spreadsheet must not run what an upload put in a cell.
      expect(byUser('fia')[0]?.[1]).toBe(format === 'csv' ? "'=1+1" : '=1+1');
      expect(report.rows).toHaveLength(ROWS.length + 1);

      // The same upload again: completed already, nothing more.
      const statusEvents = kafka.json(env.TOPIC_VERIFICATION_STATUS_CHANGED!).length;
      await upload(tenantId, path, { importId: `imp-${tenantId}` });
      expect(completionsOf(`imp-${tenantId}`)).toHaveLength(1);
      expect(kafka.json(env.TOPIC_VERIFICATION_STATUS_CHANGED!).length).toBe(statusEvents);
    },
  );

  // Runs after the four formats above, before any other import.
  it("counts the four imports' rows by outcome in /metrics, redeliveries not twice", async () => {
    const metrics = await scrapeMetrics(importer.healthPort);
    const rows = (outcome: string) => metrics(`connect_import_rows_total{outcome="${outcome}"}`);
    expect(rows('updated')).toBe(4 * EXPECTED_COUNTS.updated);
    expect(rows('unchanged')).toBe(4 * EXPECTED_COUNTS.unchanged);
    expect(rows('duplicate_user')).toBe(4 * EXPECTED_COUNTS.reasons.duplicate_user);
    expect(rows('email_in_use')).toBe(4 * EXPECTED_COUNTS.reasons.email_in_use);
  });

  it('fails broken and hostile files cleanly, applies nothing, and keeps serving', async () => {
    const tenantId = 't-broken';
    await seed(tenantId);
    const good = uploads.csv('good.csv', [HEADER, ...ROWS], {
      delimiter: ';',
      encoding: 'utf-8',
      bom: false,
    });
    const cases: [string, string, { sha256?: string }][] = [
      [
        'missing_column',
        uploads.csv(
          'columns.csv',
          [
            ['User ID', 'E-mail'],
            ['cia', 'cia@example.se'],
          ],
          {
            delimiter: ',',
            encoding: 'utf-8',
            bom: false,
          },
        ),
        {},
      ],
      ['checksum_mismatch', good, { sha256: 'a'.repeat(64) }],
      ['unreadable_format', uploads.write('binary.csv', Buffer.from([0, 1, 2, 3, 0, 5])), {}],
      [
        'unreadable_format',
        uploads.write('quote.csv', Buffer.from('User ID;Visma Connect e-mail\n"cia;x\n')),
        {},
      ],
      ['too_large', uploads.write('big.csv', Buffer.alloc(2_000_001, 'a')), {}],
      ['too_large', await uploads.zipBomb('bomb.xlsx'), {}],
    ];
    for (const [i, [code, path, extra]] of cases.entries()) {
      const started = Date.now();
      const completed = await upload(tenantId, path, { importId: `broken-${i}`, ...extra });
      expect({ i, ...completed }).toMatchObject({
        i,
        status: 'failed',
        rows: 0,
        updated: 0,
        error: { code },
      });
      expect(String((completed.error as { message: string }).message).length).toBeGreaterThan(5);
      expect(Date.now() - started).toBeLessThan(60_000);
    }
    const [cia] = await states.findByUserIds(tenantId, ['cia']);
    expect(cia?.email).toBeNull();

    // Still serving: the good file imports after all that.
    expect(await upload(tenantId, good, { importId: 'after-broken' })).toMatchObject(
      EXPECTED_COUNTS,
    );
  });

  // Through the app's own consumer group: its exception filter must hand the handler's
  // PermanentError to the transport (Nest's default filter would swallow it as handled).
  it('dead-letters a second file under an import id the tenant already used, as import_id_reused', async () => {
    const tenantId = 't-reused';
    const first = uploads.csv('reused-1.csv', [HEADER, ['ivy', 'Ivy', 'ivy@example.se', 'IT']], {
      delimiter: ';',
      encoding: 'utf-8',
      bom: false,
    });
    const other = uploads.csv('reused-2.csv', [HEADER, ['ivy', 'Ivy', 'ivy2@example.se', 'IT']], {
      delimiter: ';',
      encoding: 'utf-8',
      bom: false,
    });
    expect(await upload(tenantId, first, { importId: 'imp-reused' })).toMatchObject({
      status: 'completed',
      updated: 1,
    });
    await produceUpload(tenantId, other, { importId: 'imp-reused', eventId: 'upload-reused-2' });
    const dead = await waitFor('the second upload on the DLQ', () =>
      kafka
        .on(dlqTopicOf(env.TOPIC_USER_IMPORT_UPLOADED!))
        .find((m) => m.value?.toString().includes('upload-reused-2')),
    );
    expect(dead.headers['error-code']).toBe('import_id_reused');
    expect(completionsOf('imp-reused')).toHaveLength(1);
    const [ivy] = await states.findByUserIds(tenantId, ['ivy']);
    expect(ivy?.email).toBe('ivy@example.se');
  });

  it('R7: exports the users of a tenant as CSV and XLSX, ready to be imported again', async () => {
    const tenantId = 't-export';
    await seed(tenantId);
    for (const format of ['csv', 'xlsx'] as const) {
      const out = join(uploads.folder, `export.${format}`);
      const { stdout } = await run('node', [
        '-r',
        '@swc-node/register',
        'tools/export-users.ts',
        '--tenant',
        tenantId,
        '--format',
        format,
        '--out',
        out,
      ]);
      expect(stdout).toContain('wrote 5 users');
      const { rows } = await reportOf({ importId: 'x', reportUri: pathToFileURL(out).toString() });
      expect(rows[0]?.slice(0, 3)).toEqual(['Användar-ID', 'E-post Visma Connect', 'Status']);
      expect(rows.slice(1).map((r) => r.slice(0, 3))).toEqual([
        ['anna', 'anna@example.se', 'Verifieringsmeddelande skickat (verification_sent)'],
        ['bo', 'bo@example.se', 'Kopplad till Visma Connect (linked)'],
        ['cia', '', 'Ingen adress (no_email)'],
        ['dan', 'dan.old@example.se', 'Ej verifierad (unverified)'],
        ['eva', 'eva@example.se', 'Verifierad (verified)'],
      ]);
      // Imported again unchanged, it changes nothing.
      const again = await upload(tenantId, out, { importId: `reimport-${format}` });
      expect(again).toMatchObject({ status: 'completed', rows: 5, updated: 0, unchanged: 5 });
    }
  });

  it('sends verification mails to the rows it updated when asked to', async () => {
    const tenantId = 't-verify';
    await seed(tenantId);
    const path = uploads.csv('verify.csv', [HEADER, ...ROWS], {
      delimiter: ';',
      encoding: 'utf-8',
      bom: true,
    });
    const completed = await upload(tenantId, path, { verifyAfterImport: true });
    expect(completed).toMatchObject(EXPECTED_COUNTS);
    expect(completed.verificationRequestId).toEqual(expect.any(String));
    for (const address of ['cia@example.se', 'dan.new@example.se', 'ny@example.se'])
      await waitFor(`a mail to ${address}`, () =>
        sink.mails.find((m) => m.envelopeTo.includes(address)),
      );
    const mailedHere = sink.mails.filter((m) =>
      m.envelopeTo.some((to) => /^(cia|dan\.new|ny|anna|bo|eva)@/.test(to)),
    );
    expect(mailedHere).toHaveLength(3);
  });
});
