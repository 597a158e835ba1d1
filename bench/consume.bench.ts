/**
 * Consume rate of the messaging layer (KafkaEventServer) against a raw kafkajs eachBatch
 * consumer, in one process, on the real broker. See bench/README.md.
 *
 *   node -r @swc-node/register bench/consume.bench.ts [--events 100000] [--runs 5] [--partitions 6]
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import {
  consumerEnvSchema,
  consumerSettingsFrom,
  createKafka,
  type ConsumerSettings,
} from '@app/messaging';
import { parseEvent } from '@app/contracts';
import { createLogger } from '@app/observability';
import { connectMongo, ProcessedEventRepository } from '@app/persistence';
import { median, steadyRate, type Measurement } from './support/measure';
import { parseOptions, type BenchOptions, type VariantName } from './support/options';
import { consumeProduct, PRODUCT_HANDLERS, type ProductDeps } from './support/product-consumer';
import { profiled } from './support/profiler';
import { consumeRaw } from './support/raw-consumer';
import { BENCH_STACK, resolveStackEnv, withDatabase, type StackEnv } from './support/stack';
import { createBenchTopics, fillTopic, randomSuffix, type BenchTopic } from './support/topics';

const RESULTS_DIR = join(__dirname, 'results');

interface Variant {
  name: VariantName;
  label: string;
  run(topic: BenchTopic, tag: string): Promise<Measurement>;
}

/** Everything the bench opens, and what it created on the servers, so it can all be undone. */
interface Resources {
  settings: ConsumerSettings;
  rawKafka: Kafka;
  admin: Admin;
  product: ProductDeps;
  mongo?: { connection: Connection; processed: ProcessedEventRepository; database: string };
  topics: Set<string>;
  groups: string[];
}

async function main(): Promise<void> {
  const options = parseOptions();
  const env = resolveStackEnv(process.env, BENCH_STACK);
  const resources = await open(env, options);
  try {
    const variants = buildVariants(resources, options);
    const runs = await runAll(resources, variants, options);
    const rows = summarize(variants, runs);
    printTable(rows, options, resources);
    writeResults(rows, options, resources);
  } finally {
    await close(resources);
  }
}

async function open(env: StackEnv, options: BenchOptions): Promise<Resources> {
  // The product's own defaults (CONSUMER_* from the environment if set), shared by the baseline.
  const settings = consumerSettingsFrom(consumerEnvSchema.parse(process.env), 'bench.consume');
  const rawKafka = new Kafka({
    clientId: 'bench-consume-raw',
    brokers: env.brokers,
    logLevel: logLevel.ERROR,
  });
  const admin = rawKafka.admin();
  await admin.connect();

  const logger: Logger = createLogger({
    service: 'bench-consume',
    version: '0.0.0',
    level: 'warn',
  });
  const kafka = createKafka({ brokers: env.brokers, clientId: 'bench-consume-layer', logger });
  // As bootstrap.ts builds it; connected because KafkaEventServer expects a live producer.
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();

  const resources: Resources = {
    settings,
    rawKafka,
    admin,
    product: { kafka, producer, logger, settings },
    topics: new Set(),
    groups: [],
  };
  if (options.variants.includes('layer-dedupe')) {
    try {
      const database = `bench_${randomSuffix()}`;
      const connection = await connectMongo(withDatabase(env.mongoUri, database));
      resources.mongo = {
        connection,
        processed: new ProcessedEventRepository(connection),
        database,
      };
      await resources.mongo.processed.init();
    } catch (error) {
      await close(resources);
      throw error;
    }
  }
  return resources;
}

function buildVariants(resources: Resources, options: BenchOptions): Variant[] {
  const { product, settings, rawKafka, mongo } = resources;
  const around =
    (name: string, tag: string) =>
    <T>(work: () => Promise<T>) =>
      options.profile && tag !== 'warmup'
        ? profiled(join(RESULTS_DIR, 'profile', `${name}-${tag}.cpuprofile`), work)
        : work();
  const all: Variant[] = [
    {
      name: 'raw',
      label: 'raw kafkajs eachBatch (baseline)',
      run: (topic) => consumeRaw(rawKafka, topic, settings, options.timeoutMs),
    },
    {
      name: 'raw-json',
      label: 'raw + JSON.parse of each value',
      run: (topic) =>
        consumeRaw(rawKafka, topic, settings, options.timeoutMs, (value) =>
          JSON.parse(String(value)),
        ),
    },
    {
      name: 'raw-contract',
      label: 'raw + parseEvent (JSON + contract)',
      run: (topic) =>
        consumeRaw(rawKafka, topic, settings, options.timeoutMs, (value) =>
          parseEvent(value, 'VerificationRequested'),
        ),
    },
    {
      name: 'layer',
      label: 'KafkaEventServer, dedupe off',
      run: (topic, tag) =>
        consumeProduct(
          product,
          topic,
          PRODUCT_HANDLERS.plain,
          undefined,
          options.timeoutMs,
          around('layer', tag),
        ),
    },
    {
      name: 'layer-dedupe',
      label: 'KafkaEventServer, dedupe on (Mongo store)',
      run: async (topic, tag) => {
        if (!mongo) throw new Error('layer-dedupe needs the Mongo connection');
        await resetProcessed(mongo);
        return consumeProduct(
          product,
          topic,
          PRODUCT_HANDLERS.dedupe,
          mongo.processed,
          options.timeoutMs,
          around('layer-dedupe', tag),
        );
      },
    },
  ];
  return all.filter((v) => options.variants.includes(v.name));
}

/** Every dedupe run starts from an empty store, so later runs do not pay for earlier marks. */
async function resetProcessed(mongo: NonNullable<Resources['mongo']>): Promise<void> {
  await mongo.connection.dropCollection('processed_events').catch(() => undefined);
  await mongo.processed.init();
}

/**
 * The untimed warm-up (JIT, connections, group coordinator), then the timed runs. Each run has
 * its own topic, read by every variant in turn; the order rotates per run so that no variant
 * always goes first (cold page cache) or last.
 */
async function runAll(
  resources: Resources,
  variants: Variant[],
  options: BenchOptions,
): Promise<Map<VariantName, Measurement[]>> {
  const runs = new Map<VariantName, Measurement[]>(variants.map((v) => [v.name, []]));
  if (options.warmupEvents > 0) {
    await withTopic(resources, options, options.warmupEvents, async (topic) => {
      for (const variant of variants)
        report('warmup', variant, await measure(resources, variant, topic, 'warmup'));
    });
  }
  for (let run = 1; run <= options.runs; run++) {
    await withTopic(resources, options, options.events, async (topic) => {
      for (const variant of rotate(variants, run - 1)) {
        const result = await measure(resources, variant, topic, `run${run}`);
        runs.get(variant.name)?.push(result);
        report(`run ${run}/${options.runs}`, variant, result);
      }
    });
  }
  return runs;
}

async function measure(
  resources: Resources,
  variant: Variant,
  topic: BenchTopic,
  tag: string,
): Promise<Measurement> {
  const result = await variant.run(topic, tag);
  resources.groups.push(result.groupId);
  return result;
}

/** Creates and fills a topic (untimed), hands it over, and deletes it straight after. */
async function withTopic(
  resources: Resources,
  options: BenchOptions,
  events: number,
  use: (topic: BenchTopic) => Promise<void>,
): Promise<void> {
  const started = performance.now();
  const created = await createBenchTopics(resources.admin, {
    partitions: options.partitions,
    retries: resources.settings.retry.delaysMs.length,
  });
  created.forEach((t) => resources.topics.add(t));
  try {
    const topic = await fillTopic(
      resources.rawKafka,
      resources.admin,
      created,
      options.partitions,
      events,
    );
    log(
      `filled ${topic.name}: ${events} events of ${topic.valueBytes} B in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    await use(topic);
  } finally {
    // Groups first: deleting the topic would drop their offsets and, with them, the groups.
    await deleteGroups(resources);
    await deleteTopics(resources, created);
  }
}

interface Row {
  name: VariantName;
  label: string;
  runs: Measurement[];
  median: number;
  min: number;
  max: number;
  ratioToBaseline?: number;
}

function summarize(variants: Variant[], runs: Map<VariantName, Measurement[]>): Row[] {
  const rows = variants.map((v): Row => {
    const rates = (runs.get(v.name) ?? []).map(steadyRate);
    return {
      name: v.name,
      label: v.label,
      runs: runs.get(v.name) ?? [],
      median: Math.round(median(rates)),
      min: Math.min(...rates),
      max: Math.max(...rates),
    };
  });
  const baseline = rows.find((r) => r.name === 'raw');
  for (const row of rows)
    if (baseline && row !== baseline)
      row.ratioToBaseline = Number((row.median / baseline.median).toPrecision(3));
  return rows;
}

function printTable(rows: Row[], options: BenchOptions, resources: Resources): void {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [
    ['variant', 'median ev/s', 'min-max ev/s', 'vs baseline'],
    ...rows.map((r) => [
      r.label,
      n(r.median),
      `${n(r.min)}-${n(r.max)}`,
      r.ratioToBaseline === undefined ? '-' : r.ratioToBaseline.toPrecision(2),
    ]),
  ];
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  console.log(
    `\n${options.events} events x ${options.runs} runs, ${options.partitions} partitions, ` +
      `concurrency ${resources.settings.concurrency}, maxBatch ${resources.settings.maxBatch}, node ${process.version}, ${cpus().length} cpus`,
  );
  for (const line of lines)
    console.log(
      line
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  '),
    );
}

function writeResults(rows: Row[], options: BenchOptions, resources: Resources): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  // A profiled run is slowed by the sampler: keep it away from the reference numbers.
  const file = join(RESULTS_DIR, options.profile ? 'consume.profiled.json' : 'consume.json');
  const { settings } = resources;
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    options,
    consumer: {
      concurrency: settings.concurrency,
      maxBatch: settings.maxBatch,
      retryTopics: settings.retry.delaysMs.length,
      maxWaitTimeInMs: 1000,
    },
    variants: rows,
  };
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`raw numbers in ${file}`);
}

/** Forgets the bench's consumer groups; one the broker already dropped is not an error. */
async function deleteGroups(resources: Resources): Promise<void> {
  const groups = resources.groups.splice(0);
  if (groups.length === 0) return;
  await resources.admin
    .deleteGroups(groups)
    .catch((error: { groups?: { error?: { type?: string } }[] }) => {
      if (!error.groups?.every((g) => g.error?.type === 'GROUP_ID_NOT_FOUND')) throw error;
    });
}

async function deleteTopics(resources: Resources, topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  await resources.admin.deleteTopics({ topics });
  topics.forEach((t) => resources.topics.delete(t));
}

/** Undoes everything, each step on its own, so one failure does not leave the rest behind. */
async function close(resources: Resources): Promise<void> {
  const steps: [string, () => Promise<unknown>][] = [
    ['delete consumer groups', () => deleteGroups(resources)],
    ['delete leftover topics', () => deleteTopics(resources, [...resources.topics])],
    ['drop bench database', async () => resources.mongo?.connection.dropDatabase()],
    ['close mongo', async () => resources.mongo?.connection.close()],
    ['disconnect producer', () => resources.product.producer.disconnect()],
    ['disconnect admin', () => resources.admin.disconnect()],
    ['flush logger', async () => resources.product.logger.flush()],
  ];
  for (const [what, step] of steps) {
    await step().catch((error: unknown) => log(`cleanup: ${what} failed: ${describe(error)}`));
  }
}

/** kafkajs batch errors keep the per-item causes in `groups` / `errors`; show them. */
function describe(error: unknown): string {
  const e = error as { groups?: unknown; errors?: unknown };
  const detail = e.groups ?? e.errors;
  return detail === undefined ? String(error) : `${String(error)} ${JSON.stringify(detail)}`;
}

function rotate<T>(items: T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

function report(when: string, variant: Variant, m: Measurement): void {
  log(
    `${when.padEnd(9)} ${variant.label.padEnd(42)} ${Math.round(steadyRate(m)).toLocaleString('en-US').padStart(9)} ev/s  (${m.steady.events} in ${(m.steady.ms / 1000).toFixed(2)} s; ${(m.ms / 1000).toFixed(2)} s with the join)`,
  );
}

// Progress goes to stderr, so stdout holds only the table.
function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

main()
  .then(
    () => {
      process.exitCode = 0;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  )
  .finally(() => {
    // Everything is closed by now; should a handle still hold the loop, say so rather than hang.
    setTimeout(() => {
      log('a handle kept the process alive after cleanup; exiting anyway');
      process.exit(process.exitCode ?? 1);
    }, 10_000).unref();
  });
