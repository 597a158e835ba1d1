import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { mongo } from 'mongoose';
import { toOutboxEntry } from '@app/messaging';
import { USER_STATE_COLLECTION, userStateId, type UserStateDocument } from '@app/persistence';
import { statusChangedEvent } from '@app/verification';
import {
  IMPORT_TENANT,
  ImportWorkerRun,
  importAddress,
  importUserId,
  seedImportUsers,
  writeImportFile,
  type ImportFormat,
} from '../support/import-files';
import { round } from '../support/measure';
import { withDatabase } from '../support/stack';
import type { Sample, Scenario, ScenarioContext, ScenarioRunner } from '../support/scenario';

const ROWS = 100_000;
const MIN_ROWS = 1_000;
const WARMUP_ROWS = 1_000;
/**
 * The product writes one batch (IMPORT_BATCH_SIZE, 500 rows) per bulk write, one after
 * another; so does the baseline.
 */
const UPDATES_PER_COMMAND = 500;
/** The import worker's event source: the baseline's outbox entries are the same size. */
const WORKER_SOURCE = '/connect-provisioning/import-worker';

type UserStateUpdate = mongo.AnyBulkWriteOperation<UserStateDocument>;

/**
 * A 100k-row file (an HRM export, 90% with an address for a seeded user without one), from
 * UserImportUploaded produced to UserImportCompleted received, the import worker running as its
 * own process. The baseline is the slower of the two things the import cannot do without:
 * streaming the file through the parser, and the same address updates as raw bulk writes.
 */
export const importCsvScenario: Scenario = importScenario('csv', 'csv-parse stream');
export const importXlsxScenario: Scenario = importScenario('xlsx', 'exceljs WorkbookReader');

function importScenario(format: ImportFormat, parser: string): Scenario {
  return {
    name: `import-${format}`,
    product: `import worker, ${format.toUpperCase()} upload to UserImportCompleted`,
    baseline: `slower of ${parser} alone / raw driver bulk updates alone`,
    unit: 'rows',
    open: (context) => openImport(format, context),
  };
}

/** What one size of the scenario (the measured one, or the warm-up's) needs. */
interface Workload {
  rows: number;
  path: string;
  /** The updates the product makes for this file, as the raw driver sends them. */
  updates: UserStateUpdate[];
}

async function openImport(format: ImportFormat, context: ScenarioContext): Promise<ScenarioRunner> {
  const rows = Math.max(MIN_ROWS, Math.round(ROWS * context.scale));
  const work = join(context.resultsDir, `work-${randomBytes(3).toString('hex')}`);
  mkdirSync(work, { recursive: true });
  const client = new mongo.MongoClient(context.stack.mongoUri);
  try {
    await client.connect();
    context.log(`[import-${format}] writing ${rows}-row and ${WARMUP_ROWS}-row files`);
    const measured = await workload(join(work, 'measured'), format, rows);
    const warm = await workload(join(work, 'warm-up'), format, WARMUP_ROWS);
    const product = (label: string, load: Workload) =>
      measureProduct(format, load, context, work, label);
    const baseline = (load: Workload) => measureBaseline(format, load, client, context);
    return {
      items: rows,
      async warmUp() {
        await product('warm-up', warm);
        await baseline(warm);
      },
      product: (run) => product(`run${run}`, measured),
      baseline: () => baseline(measured),
      async close() {
        await client.close();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await client.close();
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

async function workload(folder: string, format: ImportFormat, rows: number): Promise<Workload> {
  mkdirSync(folder, { recursive: true });
  return { rows, path: await writeImportFile(folder, format, rows), updates: addressUpdates(rows) };
}

/**
 * Fresh topics and database, seeded; the worker started and idle. The window is the upload to
 * its completion; the worker's RSS is sampled from /proc throughout.
 */
async function measureProduct(
  format: ImportFormat,
  load: Workload,
  context: ScenarioContext,
  work: string,
  label: string,
): Promise<Sample> {
  const worker = await ImportWorkerRun.start({
    stack: context.stack,
    id: `import-${format}-${label}-${randomBytes(3).toString('hex')}`,
    logPath: join(context.resultsDir, `worker-${label}.log`),
    reportDir: join(work, 'reports'),
    uploadRoot: resolve(work),
    log: context.log,
    prepareDatabase: (uri) => seedImportUsers(uri, load.rows),
  });
  try {
    const window = await worker.upload(load.path, format, context.timeoutMs, (p) =>
      context.log(
        `[import-${format}] ${label} ${p.seconds}s: ${p.applied}/${load.rows} rows applied, worker RSS ${p.rssMb} MB`,
      ),
    );
    const { completion } = window;
    if (completion.status !== 'completed' || completion.updated !== load.updates.length)
      throw new Error(
        `import-${format}: expected ${load.updates.length} updates, the completion says ` +
          JSON.stringify(completion),
      );
    return {
      items: load.rows,
      ms: round(window.ms, 1),
      figures: {
        peakRssMb: round(window.peakRssKb / 1024, 1),
        rssGrowthMb: round((window.peakRssKb - window.rssBeforeKb) / 1024, 1),
      },
    };
  } finally {
    await worker.close();
  }
}

/**
 * Both raw halves of the import, each timed alone; the slower is the baseline. They run one
 * after the other, so neither competes with the other for the two cores.
 */
async function measureBaseline(
  format: ImportFormat,
  load: Workload,
  client: mongo.MongoClient,
  context: ScenarioContext,
): Promise<Sample> {
  const parseMs = await timed(async () => {
    const counted = await (format === 'csv' ? countCsvRows(load.path) : countXlsxRows(load.path));
    // Header plus data rows: the parser read the whole file.
    if (counted !== load.rows + 1)
      throw new Error(`import-${format} baseline: parsed ${counted} rows of ${load.rows + 1}`);
  });
  const database = `bench_import_raw_${randomBytes(4).toString('hex')}`;
  const db = client.db(database);
  try {
    await seedImportUsers(withDatabase(context.stack.mongoUri, database), load.rows);
    const users = db.collection<UserStateDocument>(USER_STATE_COLLECTION);
    const writeMs = await timed(() => writeUpdates(users, load.updates));
    return {
      items: load.rows,
      ms: round(Math.max(parseMs, writeMs), 1),
      figures: { parseMs: round(parseMs, 1), writeMs: round(writeMs, 1) },
    };
  } finally {
    await db.dropDatabase();
  }
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** csv-parse over the file as written (`;`, BOM), with the product's record options. */
async function countCsvRows(path: string): Promise<number> {
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      delimiter: ';',
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
    }),
  );
  return count(parser as AsyncIterable<string[]>);
}

/** exceljs's streaming reader with the product's options (xlsx-worker-source.ts), first sheet. */
async function countXlsxRows(path: string): Promise<number> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    worksheets: 'emit',
    entries: 'emit',
  });
  // The first sheet only, as the product reads; awaited before the loop's exit stops the reader.
  for await (const sheet of reader) return await count(sheet);
  return 0;
}

/** Items of a stream, each taken and dropped. */
async function count(items: AsyncIterable<unknown>): Promise<number> {
  const iterator = items[Symbol.asyncIterator]();
  let n = 0;
  while (!(await iterator.next()).done) n++;
  return n;
}

/**
 * The update the product's UserStateRepository.saveMany sends for each row it applies to a
 * seeded user without an address: the changed fields, mongoose's timestamps, and the
 * VerificationStatusChanged outbox entry in the same update. Built before any window.
 */
function addressUpdates(rows: number): UserStateUpdate[] {
  const at = new Date();
  const cause = { eventId: randomUUID(), source: WORKER_SOURCE, at };
  const updates: UserStateUpdate[] = [];
  for (let i = 0; i < rows; i++) {
    const email = importAddress(i);
    if (email === '') continue;
    const userId = importUserId(i);
    const entry = toOutboxEntry(
      statusChangedEvent({ tenantId: IMPORT_TENANT, userId, status: 'unverified', email }, cause),
    );
    updates.push({
      updateOne: {
        filter: { _id: userStateId(IMPORT_TENANT, userId) },
        update: {
          $set: {
            tenantId: IMPORT_TENANT,
            userId,
            email,
            status: 'unverified',
            addressSetAt: at,
            updatedAt: at,
          },
          $setOnInsert: { createdAt: at },
          $inc: { version: 1 },
          // As the product stores it, with its time (outbox-fields.ts).
          $push: { outbox: { $each: [{ ...entry, at }] } },
        },
        upsert: true,
      },
    });
  }
  return updates;
}

/** Unordered bulk writes of one batch each, one at a time; every update must have matched. */
async function writeUpdates(
  users: mongo.Collection<UserStateDocument>,
  updates: readonly UserStateUpdate[],
): Promise<void> {
  let matched = 0;
  for (let start = 0; start < updates.length; start += UPDATES_PER_COMMAND) {
    const result = await users.bulkWrite(updates.slice(start, start + UPDATES_PER_COMMAND), {
      ordered: false,
    });
    matched += result.matchedCount;
  }
  if (matched !== updates.length)
    throw new Error(`raw bulk writes matched ${matched} of ${updates.length} users`);
}
