/**
 * One UserImportUploaded of a large file, end to end, once as CSV and once as XLSX: the import
 * worker runs as its own process on the local stack. Prints the time from the upload to
 * UserImportCompleted and the worker's peak resident memory. See bench/README.md.
 *
 *   node -r @swc-node/register bench/import.bench.ts [--rows 100000] [--timeout-s 3600]
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  createWriteStream,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import mongoose from 'mongoose';
import {
  CLOUDEVENTS_CONTENT_TYPE,
  createEvent,
  DEFAULT_TOPICS,
  EVENT_TYPES,
  parseEventOf,
  serializeEvent,
} from '@app/contracts';
import { topicEnvName } from '@app/messaging';
import { rssKb, waitUntil } from './support/process';
import { resolveStackEnv } from './support/stack';

const ROOT = resolve(__dirname, '..');
const RESULTS_DIR = join(__dirname, 'results');

interface Run {
  format: 'csv' | 'xlsx';
  fileMb: number;
  seconds: number;
  rowsPerSecond: number;
  workerPeakRssMb: number;
  completion: Record<string, unknown> | undefined;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '100000' },
      'timeout-s': { type: 'string', default: '3600' },
    },
  });
  const rows = Number(values.rows);
  const timeoutMs = Number(values['timeout-s']) * 1000;
  const stack = resolveStackEnv();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const folder = join(RESULTS_DIR, 'import-files');
  mkdirSync(folder, { recursive: true });
  console.error(`[bench] writing ${rows}-row CSV and XLSX files`);
  const files = { csv: await writeCsv(folder, rows), xlsx: await writeXlsx(folder, rows) };

  const runs: Run[] = [];
  for (const format of ['csv', 'xlsx'] as const)
    runs.push(await runImport(format, files[format], rows, stack, timeoutMs));
  const result = { date: new Date().toISOString(), rows, node: process.version, runs };
  writeFileSync(join(RESULTS_DIR, 'import.json'), `${JSON.stringify(result, null, 2)}\n`);
  for (const run of runs)
    console.log(
      `import of ${rows} rows (${run.format}, ${run.fileMb} MB): completed in ${run.seconds.toFixed(0)} s ` +
        `(${run.rowsPerSecond} rows/s), worker peak RSS ${run.workerPeakRssMb} MB`,
    );
  rmSync(folder, { recursive: true, force: true });
}

async function runImport(
  format: 'csv' | 'xlsx',
  path: string,
  rows: number,
  stack: ReturnType<typeof resolveStackEnv>,
  timeoutMs: number,
): Promise<Run> {
  const id = `import-${format}-${randomBytes(3).toString('hex')}`;
  const topics = Object.fromEntries(
    Object.values(EVENT_TYPES).map((t) => [topicEnvName(t), `bench.${id}.${DEFAULT_TOPICS[t]}`]),
  );
  const mongoUri = new URL(stack.mongoUri);
  mongoUri.pathname = `/bench_${id.replace(/-/g, '_')}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...topics,
    KAFKA_BROKERS: stack.brokers.join(','),
    MONGODB_URI: mongoUri.toString(),
    IMPORT_CONSUMER_GROUP: `bench.${id}`,
    IMPORT_REPORT_DIR: join(RESULTS_DIR, 'import-reports'),
    HEALTH_PORT: '0',
    LOG_LEVEL: 'info',
  };
  const logPath = join(RESULTS_DIR, `import-${format}-worker.log`);
  const worker = spawn(
    process.execPath,
    ['-r', '@swc-node/register', 'apps/import-worker/src/main.ts'],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const log = createWriteStream(logPath);
  worker.stdout.pipe(log);
  worker.stderr.pipe(log);
  const exited = once(worker, 'exit');
  let peakRssKb = 0;
  const sampler = setInterval(() => (peakRssKb = Math.max(peakRssKb, rssKb(worker.pid))), 250);

  const kafka = new Kafka({
    clientId: 'bench-import',
    brokers: stack.brokers,
    logLevel: logLevel.NOTHING,
  });
  const completedTopic = topics[topicEnvName('UserImportCompleted')] as string;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: completedTopic, numPartitions: 6 }] });
  const consumer = kafka.consumer({ groupId: `bench.${id}.watch` });
  await consumer.connect();
  await consumer.subscribe({ topic: completedTopic, fromBeginning: true });
  let completion: Record<string, unknown> | undefined;
  await consumer.run({
    eachMessage: async ({ message }) => {
      const parsed = parseEventOf(message.value, 'UserImportCompleted');
      if (parsed.ok) completion = parsed.event.data;
    },
  });
  try {
    await waitUntil(() => readFileSync(logPath, 'utf8').includes('import worker started'), 120_000);
    const bytes = readFileSync(path);
    const upload = createEvent(
      'UserImportUploaded',
      {
        importId: id,
        tenantId: 'bench',
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
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const started = Date.now();
    await producer.send({
      topic: topics[topicEnvName('UserImportUploaded')] as string,
      messages: [
        {
          key: 'bench',
          value: serializeEvent(upload),
          headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
        },
      ],
    });
    await producer.disconnect();
    const progress = setInterval(() => {
      const lines = readFileSync(logPath, 'utf8').trim().split('\n');
      const last = lines.reverse().find((l) => l.includes('"import progress"'));
      const applied = last ? Number(/"applied":(\d+)/.exec(last)?.[1]) : 0;
      console.error(
        `[bench] ${format} ${Math.round((Date.now() - started) / 1000)}s: ${applied}/${rows} rows applied, ` +
          `worker RSS ${Math.round(rssKb(worker.pid) / 1024)} MB`,
      );
    }, 15_000);
    await waitUntil(() => completion !== undefined, timeoutMs).finally(() =>
      clearInterval(progress),
    );
    const seconds = (Date.now() - started) / 1000;
    return {
      format,
      fileMb: Math.round((statSync(path).size / 1024 / 1024) * 10) / 10,
      seconds,
      rowsPerSecond: Math.round(rows / seconds),
      workerPeakRssMb: Math.round(peakRssKb / 1024),
      completion,
    };
  } finally {
    clearInterval(sampler);
    worker.kill('SIGTERM');
    await exited;
    await consumer.disconnect();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
    const db = await mongoose.createConnection(mongoUri.toString()).asPromise();
    await db.dropDatabase();
    await db.close();
  }
}

/** Rows like an HRM export: id, name, department, address; every tenth without an address. */
function row(i: number): string[] {
  return [
    `user-${i}`,
    `Anställd ${i}`,
    `Avdelning ${i % 40}`,
    i % 10 === 0 ? '' : `user-${i}@example.se`,
  ];
}
const HEADER = ['Användar-ID', 'Namn', 'Avdelning', 'E-post Visma Connect'];

async function writeCsv(folder: string, rows: number): Promise<string> {
  const path = join(folder, 'anstallda.csv');
  const out = createWriteStream(path);
  out.write('\ufeff' + HEADER.join(';') + '\r\n');
  for (let i = 0; i < rows; i++)
    if (!out.write(row(i).join(';') + '\r\n')) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  return path;
}

async function writeXlsx(folder: string, rows: number): Promise<string> {
  const path = join(folder, 'anstallda.xlsx');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: true,
  });
  const sheet = workbook.addWorksheet('Anställda');
  sheet.addRow(HEADER).commit();
  for (let i = 0; i < rows; i++) sheet.addRow(row(i)).commit();
  sheet.commit();
  await workbook.commit();
  return path;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
