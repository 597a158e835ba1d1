/**
 * What the import benchmarks share (bench/import.bench.ts, bench/scenarios/import.ts): the
 * HRM-export-like files, the users they name, and the import worker as its own process on
 * topics and a database of its own, timed from the upload to UserImportCompleted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, createWriteStream, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import ExcelJS from 'exceljs';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer } from 'kafkajs';
import mongoose from 'mongoose';
import {
  CLOUDEVENTS_CONTENT_TYPE,
  createEvent,
  parseEventOf,
  serializeEvent,
  type EventType,
  type UserImportCompletedData,
} from '@app/contracts';
import { ensureTopics, topicEnvName } from '@app/messaging';
import {
  USER_STATE_COLLECTION,
  UserStateRepository,
  userStateId,
  type UserStateDocument,
} from '@app/persistence';
import { rssKb, waitUntil } from './process';
import { IMPORT_WORKER_NODE_OPTIONS } from '../../test/support/worker-process';
import { benchAppEnv, benchDatabaseName, benchTopicEnv, buildApp } from './bench-world';
import { withDatabase, type StackEnv } from './stack';

export type ImportFormat = 'csv' | 'xlsx';

/** The tenant of every bench upload and seeded user. */
export const IMPORT_TENANT = 'bench';

const ROOT = resolve(__dirname, '..', '..');
const HEADER = ['Användar-ID', 'Namn', 'Avdelning', 'E-post Visma Connect'];
const WORKER_START_TIMEOUT_MS = 120_000;
const WORKER_START_ATTEMPTS = 3;
const WORKER_STOP_TIMEOUT_MS = 30_000;
const RSS_SAMPLE_MS = 100;
const PROGRESS_EVERY_MS = 15_000;
const SEED_CHUNK = 1_000;

/** User id of row i. */
export function importUserId(i: number): string {
  return `user-${i}`;
}

/** Address of row i; every tenth row has none, which the import counts as unchanged. */
export function importAddress(i: number): string {
  return i % 10 === 0 ? '' : `user-${i}@example.se`;
}

/** Rows like an HRM export: id, name, department, address. */
function importRow(i: number): string[] {
  return [importUserId(i), `Anställd ${i}`, `Avdelning ${i % 40}`, importAddress(i)];
}

/** Writes `rows` data rows as `anstallda.<format>` in `folder`; returns the path. */
export async function writeImportFile(
  folder: string,
  format: ImportFormat,
  rows: number,
): Promise<string> {
  const path = join(folder, `anstallda.${format}`);
  await (format === 'csv' ? writeCsv(path, rows) : writeXlsx(path, rows));
  return path;
}

/** As Swedish Excel saves it: UTF-8 with BOM, `;`, CRLF. */
async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('\ufeff' + HEADER.join(';') + '\r\n');
  for (let i = 0; i < rows; i++)
    if (!out.write(importRow(i).join(';') + '\r\n')) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

async function writeXlsx(path: string, rows: number): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: true,
  });
  const sheet = workbook.addWorksheet('Anställda');
  sheet.addRow(HEADER).commit();
  for (let i = 0; i < rows; i++) sheet.addRow(importRow(i)).commit();
  sheet.commit();
  await workbook.commit();
}

/**
 * The users a file of `rows` rows names, as they stand before their first import: known to the
 * HRM, no address yet (`no_email`). The collection and its indexes are the product's own
 * (UserStateRepository.init), so a database seeded here costs the same to write to whoever
 * writes. Plain inserts, outside every window.
 */
export async function seedImportUsers(mongoUri: string, rows: number): Promise<void> {
  const connection = await mongoose.createConnection(mongoUri, { autoIndex: false }).asPromise();
  try {
    await new UserStateRepository(connection).init();
    const users = connection.db?.collection<UserStateDocument>(USER_STATE_COLLECTION);
    if (!users) throw new Error('seedImportUsers: the connection has no database');
    const now = new Date();
    for (let start = 0; start < rows; start += SEED_CHUNK) {
      const docs: UserStateDocument[] = [];
      for (let i = start; i < Math.min(rows, start + SEED_CHUNK); i++) {
        const userId = importUserId(i);
        docs.push({
          _id: userStateId(IMPORT_TENANT, userId),
          tenantId: IMPORT_TENANT,
          userId,
          email: null,
          status: 'no_email',
          outbox: [],
          createdAt: now,
          updatedAt: now,
        });
      }
      await users.insertMany(docs, { ordered: false });
    }
  } finally {
    await connection.close();
  }
}

/** Drops a bench database; call only once nothing else writes to it. */
export async function dropDatabase(mongoUri: string): Promise<void> {
  const connection = await mongoose.createConnection(mongoUri).asPromise();
  try {
    await connection.dropDatabase();
  } finally {
    await connection.close();
  }
}

export interface ImportWorkerOptions {
  stack: StackEnv;
  /** Unique per run: names the topics (`bench.<id>.*`), the database and the groups. */
  id: string;
  logPath: string;
  reportDir: string;
  /** The folder the uploads are in: the worker's only upload root (IMPORT_FILE_ROOTS). */
  uploadRoot: string;
  /** Where to say that the worker had to be started again. */
  log?: (line: string) => void;
  /** Runs on the run's database before the worker starts, e.g. seedImportUsers. */
  prepareDatabase?: (mongoUri: string) => Promise<void>;
}

/** One upload, timed from just before it is produced until its completion is received. */
export interface ImportWindow {
  ms: number;
  /** The worker's resident memory just before the upload. */
  rssBeforeKb: number;
  /** Its highest resident memory during the window (sampled every 100 ms; includes threads). */
  peakRssKb: number;
  completion: UserImportCompletedData;
}

export interface ImportProgress {
  seconds: number;
  applied: number;
  rssMb: number;
}

/**
 * The import worker (apps/import-worker, started as in production) on fresh topics and a fresh
 * database, with a consumer of its completions. `close()` stops it and removes all of it.
 */
export class ImportWorkerRun {
  private worker: ChildProcess | undefined;
  private announceCompletion: (data: UserImportCompletedData) => void = () => undefined;
  /** Settles when the completion of this run's import arrives. */
  private readonly completion = new Promise<UserImportCompletedData>(
    (resolve) => (this.announceCompletion = resolve),
  );

  private constructor(
    private readonly options: ImportWorkerOptions,
    private readonly topics: Record<string, string>,
    readonly mongoUri: string,
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly watcher: Consumer,
  ) {}

  static async start(options: ImportWorkerOptions): Promise<ImportWorkerRun> {
    const topics = benchTopicEnv(options.id);
    const mongoUri = withDatabase(options.stack.mongoUri, benchDatabaseName(options.id));
    const kafka = new Kafka({
      clientId: 'bench-import',
      brokers: options.stack.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    const watcher = kafka.consumer({ groupId: `bench.${options.id}.watch` });
    const run = new ImportWorkerRun(options, topics, mongoUri, kafka, admin, watcher);
    try {
      await admin.connect();
      await run.watchCompletions();
      await options.prepareDatabase?.(mongoUri);
      await run.spawnWorker();
      return run;
    } catch (error) {
      await run.close();
      throw error;
    }
  }

  /** The worker's process id (for RSS). */
  get pid(): number | undefined {
    return this.worker?.pid;
  }

  /**
   * Produces one UserImportUploaded naming `path` and waits for its UserImportCompleted. The
   * window starts before the send, so it includes the upload's trip through the broker.
   */
  async upload(
    path: string,
    format: ImportFormat,
    timeoutMs: number,
    onProgress?: (progress: ImportProgress) => void,
  ): Promise<ImportWindow> {
    const upload = uploadEvent(this.options.id, path, format);
    const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const rssBeforeKb = rssKb(this.pid);
    let peakRssKb = rssBeforeKb;
    const sampler = setInterval(
      () => (peakRssKb = Math.max(peakRssKb, rssKb(this.pid))),
      RSS_SAMPLE_MS,
    );
    const started = performance.now();
    const progress = setInterval(
      () =>
        onProgress?.({
          seconds: Math.round((performance.now() - started) / 1000),
          applied: this.appliedRows(),
          rssMb: Math.round(rssKb(this.pid) / 1024),
        }),
      PROGRESS_EVERY_MS,
    );
    try {
      await producer.send({
        topic: this.topic('UserImportUploaded'),
        messages: [
          {
            key: IMPORT_TENANT,
            value: serializeEvent(upload),
            headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
          },
        ],
      });
      const completion = await withTimeout(
        this.completion,
        timeoutMs,
        `UserImportCompleted of ${this.options.id}`,
      );
      const ms = performance.now() - started;
      peakRssKb = Math.max(peakRssKb, rssKb(this.pid));
      return { ms, rssBeforeKb, peakRssKb, completion };
    } finally {
      clearInterval(sampler);
      clearInterval(progress);
      await producer.disconnect();
    }
  }

  /**
   * Stops the worker first (it must not write into a dropped database), then removes the groups, every `bench.<id>.*` topic (the worker adds retry and dead-letter
   * topics of its own) and the database.
   */
  async close(): Promise<void> {
    await this.stopWorker();
    await this.watcher.disconnect().catch(() => undefined);
    const groups = [`bench.${this.options.id}`, `bench.${this.options.id}.watch`];
    await this.admin.deleteGroups(groups).catch(() => undefined);
    const prefix = `bench.${this.options.id}.`;
    const topics = (await this.admin.listTopics().catch(() => [])).filter((t) =>
      t.startsWith(prefix),
    );
    if (topics.length > 0) await this.admin.deleteTopics({ topics }).catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
    await dropDatabase(this.mongoUri);
  }

  private topic(type: EventType): string {
    return this.topics[topicEnvName(type)] as string;
  }

  /** Subscribed before the worker starts, from the beginning: no completion can be missed. */
  private async watchCompletions(): Promise<void> {
    const topic = this.topic('UserImportCompleted');
    // As the apps create theirs: a broker that has just started answers UNKNOWN_TOPIC_OR_PARTITION
    // for a new topic for some seconds, and ensureTopics waits for its leaders.
    await ensureTopics(this.kafka, [topic], { partitions: 6, replicationFactor: 1 });
    await this.watcher.connect();
    await this.watcher.subscribe({ topic, fromBeginning: true });
    await this.watcher.run({
      eachMessage: async ({ message }) => {
        const parsed = parseEventOf(message.value, 'UserImportCompleted');
        if (parsed.ok && parsed.event.data.importId === this.options.id)
          this.announceCompletion(parsed.event.data);
      },
    });
  }

  /**
   * Starts the worker, again if it dies while starting: its topic creation can fail on a busy
   * broker (UNKNOWN_TOPIC_OR_PARTITION while waiting for the new topics' leaders), which is
   * outside every window. Each failure stays in the log.
   */
  private async spawnWorker(): Promise<void> {
    // Truncated before the first spawn, so a log left by an earlier run cannot announce a start.
    writeFileSync(this.options.logPath, '');
    for (let attempt = 1; ; attempt++) {
      const exitCode = await this.spawnOnce();
      if (exitCode === undefined) return;
      const failure = `the import worker exited with ${exitCode} while starting (attempt ${attempt}); see ${this.options.logPath}`;
      if (attempt >= WORKER_START_ATTEMPTS) throw new Error(failure);
      this.options.log?.(`${failure}; starting it again`);
    }
  }

  /**
   * Undefined once the worker has started; its exit code if it died first. The worker runs as
   * shipped: the bundle `nest build` made, with its Node flags in production (nothing compiled
   * in the measured process, the production young generation and heap cap).
   */
  private async spawnOnce(): Promise<number | undefined> {
    buildApp('import-worker', this.options.log ?? (() => undefined));
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      NODE_OPTIONS: [process.env.NODE_OPTIONS, IMPORT_WORKER_NODE_OPTIONS]
        .filter(Boolean)
        .join(' '),
      ...benchAppEnv(this.options.id, this.options.stack),
      IMPORT_CONSUMER_GROUP: `bench.${this.options.id}`,
      IMPORT_REPORT_DIR: this.options.reportDir,
      IMPORT_FILE_ROOTS: this.options.uploadRoot,
      IMPORT_FILE_LAYOUT: 'flat',
    };
    // The worker writes its log itself, not through this process.
    const log = openSync(this.options.logPath, 'a');
    let worker: ChildProcess;
    try {
      worker = spawn(process.execPath, ['dist/apps/import-worker/main.js'], {
        cwd: ROOT,
        env,
        stdio: ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
    this.worker = worker;
    await waitUntil(
      () => this.logText().includes('import worker started') || worker.exitCode !== null,
      WORKER_START_TIMEOUT_MS,
      `the import worker of ${this.options.id} to start`,
      100,
    );
    return worker.exitCode ?? undefined;
  }

  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
    const exited = once(worker, 'exit');
    worker.kill('SIGTERM');
    const timer = setTimeout(() => worker.kill('SIGKILL'), WORKER_STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private logText(): string {
    try {
      return readFileSync(this.options.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** Rows applied so far, from the worker's last "import progress" line. */
  private appliedRows(): number {
    const last = this.logText()
      .trim()
      .split('\n')
      .reverse()
      .find((l) => l.includes('"import progress"'));
    return last ? Number(/"applied":(\d+)/.exec(last)?.[1] ?? 0) : 0;
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function uploadEvent(importId: string, path: string, format: ImportFormat) {
  const bytes = readFileSync(path);
  return createEvent(
    'UserImportUploaded',
    {
      importId,
      tenantId: IMPORT_TENANT,
      uploadedBy: { userId: 'bench' },
      template: 'employees-users',
      file: {
        uri: pathToFileURL(path).toString(),
        name: `anstallda.${format}`,
        sizeBytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      },
    },
    { source: '/bench' },
  );
}
