import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import {
  Kafka,
  KafkaJSProtocolError,
  logLevel,
  type Admin,
  type Consumer,
  type Message,
  type Producer,
} from 'kafkajs';
import mongoose, { type Connection } from 'mongoose';
import {
  CLOUDEVENTS_CONTENT_TYPE,
  createEvent,
  DEFAULT_TOPICS,
  type EventType,
  kafkaKeyOf,
  serializeEvent,
} from '@app/contracts';
import {
  createProducer,
  ensureTopics,
  kafkaEnvSchema,
  toOutboxEntry,
  topicEnvName,
  type TopicLayout,
} from '@app/messaging';
import { decideVerification, mailRequestedEvent } from '@app/verification';
import { EVENT_SOURCE } from '../../apps/verification-worker/src/verification-requested.handler';
import { waitFor } from '../../test/support/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../../test/support/worker-process';
import { benchAppEnv, benchDatabaseName, benchTopicEnv, buildApp } from '../support/bench-world';
import { EventCounter, median, round, timeUntilCounted } from '../support/measure';
import type { Sample, Scenario, ScenarioContext, ScenarioRunner } from '../support/scenario';
import { withDatabase } from '../support/stack';
import { randomSuffix } from '../support/topics';

const USERS = 100_000;
const PART_SIZE = 1_000;
const WARMUP_USERS = 1_000;
const TENANT = 'bench-fan-out';
const REQUEST_ID = 'bench-fan-out-request';
// Start-up joins three consumer groups; on 2 shared cores that can take a while.
const WORKER_START_TIMEOUT_MS = 180_000;
// How long the worker's consumers must go without a group join before a window opens.
const GROUPS_QUIET_MS = 2_000;
// /proc reports CPU time in USER_HZ ticks: 100 on Linux x86 and arm, which this bench runs on.
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * A bulk request turned into per-user work: the verification worker, as its own process, reads
 * the parts of one VerificationRequested and its decision step writes every user's state and
 * outcome and hands each user to the mail step as one VerificationMailRequested. The worker
 * runs with MAIL_STEP=off, so nothing consumes the hand-offs and the window holds the fan-out
 * alone. The baseline produces the same hand-off messages, built beforehand, with kafkajs.
 */
export const fanOutScenario: Scenario = {
  name: 'fan-out',
  product: 'verification worker: request parts -> one VerificationMailRequested per user',
  baseline: 'kafkajs producer: the same messages, pre-built, batches of 1000, acks -1',
  unit: 'users',
  open: openFanOut,
};

/** What every window needs, made once in open(). */
interface Bench {
  context: ScenarioContext;
  kafka: Kafka;
  admin: Admin;
  /** The bench's own connection, for dropping the windows' databases. */
  mongo: Connection;
  layout: TopicLayout;
  /** Everything still to delete, also when a run failed half-way. */
  leftovers: Leftovers;
}

interface Leftovers {
  workers: Set<WorkerProcess>;
  owned: Set<Owned>;
}

/** What one window created on the servers. */
interface Owned {
  topicPrefix: string;
  groups: string[];
  database?: string;
}

/** One bulk request: its parts serialized, and the hand-offs the product will publish for it. */
interface Request {
  users: number;
  parts: Message[];
  handOffs: Message[];
}

async function openFanOut(context: ScenarioContext): Promise<ScenarioRunner> {
  const users = Math.max(PART_SIZE, Math.round(USERS * context.scale));
  buildApp('verification-worker', context.log);
  const bench = await connect(context);
  // Built before any window: neither side pays for serializing its input.
  const request = buildRequest(users);
  const warmUpRequest = buildRequest(Math.min(WARMUP_USERS, users));
  mkdirSync(context.resultsDir, { recursive: true });
  return {
    items: users,
    async warmUp() {
      await fanOutProduct(bench, warmUpRequest, 'warm-up');
      await fanOutBaseline(bench, warmUpRequest, 'warm-up');
    },
    product: (run) => fanOutProduct(bench, request, `run${run}`),
    baseline: (run) => fanOutBaseline(bench, request, `run${run}`),
    close: () => close(bench),
  };
}

async function connect(context: ScenarioContext): Promise<Bench> {
  const kafka = new Kafka({
    clientId: 'bench-fan-out',
    brokers: context.stack.brokers,
    logLevel: logLevel.ERROR,
  });
  const admin = kafka.admin();
  await admin.connect();
  const mongo = await mongoose
    .createConnection(withDatabase(context.stack.mongoUri, 'admin'))
    .asPromise();
  // The worker inherits this environment, so both sides get the product's topic layout.
  const env = kafkaEnvSchema.parse({
    ...process.env,
    KAFKA_BROKERS: context.stack.brokers.join(','),
  });
  return {
    context,
    kafka,
    admin,
    mongo,
    layout: {
      partitions: env.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: env.KAFKA_TOPIC_REPLICATION_FACTOR,
      maxMessageBytes: env.KAFKA_TOPIC_MAX_MESSAGE_BYTES,
    },
    leftovers: { workers: new Set(), owned: new Set() },
  };
}

function buildRequest(users: number): Request {
  const count = Math.ceil(users / PART_SIZE);
  const parts = Array.from({ length: count }, (_, p) => {
    const event = createEvent(
      'VerificationRequested',
      {
        requestId: REQUEST_ID,
        tenantId: TENANT,
        requestedBy: { userId: 'bench' },
        users: Array.from({ length: Math.min(PART_SIZE, users - p * PART_SIZE) }, (_, i) =>
          userOf(p * PART_SIZE + i),
        ),
        part: { index: p + 1, count },
      },
      { source: '/bench' },
    );
    return cloudEventMessage(kafkaKeyOf(event), serializeEvent(event));
  });
  return { users, parts, handOffs: Array.from({ length: users }, (_, i) => handOff(i)) };
}

function userOf(n: number): { userId: string; email: string } {
  return { userId: `user-${n}`, email: `user-${n}@example.se` };
}

/**
 * The VerificationMailRequested the decision step publishes for user n of a fresh database:
 * the product's own decision and event builder, serialized as its outbox does.
 */
function handOff(n: number): Message {
  const user = userOf(n);
  const at = new Date();
  const { state } = decideVerification({ tenantId: TENANT, ...user }, undefined, {
    resend: false,
    now: at,
    policy: { coolDownMs: 0 },
  });
  const part = { requestId: REQUEST_ID, part: Math.floor(n / PART_SIZE) + 1 };
  const standing = { outcome: 'due' as const, slot: n % PART_SIZE };
  const entry = toOutboxEntry(
    mailRequestedEvent(state, part, standing, { at, source: EVENT_SOURCE }),
  );
  return cloudEventMessage(entry.key, entry.value);
}

function cloudEventMessage(key: string, value: Buffer | string): Message {
  return { key, value, headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE } };
}

/** A fresh world per product window: topics, consumer groups and database nobody used. */
interface World {
  /** Names the world's topics, groups and database (bench-world.ts). */
  id: string;
  label: string;
  topics: Record<string, string>;
  groups: { decision: string; mail: string; linker: string; count: string };
  database: string;
  owned: Owned;
}

function newWorld(label: string): World {
  const id = `fan-out-${label}-${randomSuffix()}`;
  const topicPrefix = `bench.${id}.`;
  const groups = {
    decision: `bench.${id}`,
    mail: `bench.${id}.mail`,
    linker: `bench.${id}.linker`,
    count: `bench.${id}.count`,
  };
  const database = benchDatabaseName(id);
  return {
    id,
    label,
    topics: benchTopicEnv(id),
    groups,
    database,
    owned: { topicPrefix, groups: Object.values(groups), database },
  };
}

function topicOf(world: World, type: EventType): string {
  return world.topics[topicEnvName(type)] as string;
}

/**
 * Product window: from the first part produced until the bench has seen a
 * VerificationMailRequested for every user (distinct keys, so a hand-off published twice, e.g.
 * by the outbox sweep, is counted once).
 */
async function fanOutProduct(bench: Bench, request: Request, label: string): Promise<Sample> {
  const world = newWorld(label);
  bench.leftovers.owned.add(world.owned);
  const worker = await startWorker(bench, world);
  const producer = createProducer(bench.kafka);
  let counting: HandOffCount | undefined;
  try {
    counting = await countHandOffs(
      bench.kafka,
      topicOf(world, 'VerificationMailRequested'),
      world.groups.count,
      request.users,
    );
    await producer.connect();
    const sample = await measureFanOut(bench, {
      label,
      worker,
      counting,
      send: () => produceParts(producer, topicOf(world, 'VerificationRequested'), request.parts),
    });
    bench.context.log(
      `fan-out ${label}: ${sample.items} users in ${round(sample.ms)} ms; mean hand-off ` +
        `${counting.meanValueBytes()} B (baseline's ${meanValueBytes(request.handOffs)} B); ` +
        JSON.stringify(sample.figures),
    );
    return sample;
  } finally {
    await producer.disconnect();
    await counting?.consumer.disconnect();
    await stopWorker(bench, worker, world.label);
    await remove(bench, world.owned);
  }
}

/**
 * Times the window and takes what tells where its time went: the worker's CPU share (the rest
 * is waiting, mostly on the database) and the median time per part from the worker's log.
 */
async function measureFanOut(
  bench: Bench,
  run: { label: string; worker: WorkerProcess; counting: HandOffCount; send: () => Promise<void> },
): Promise<Sample> {
  const pid = run.worker.process.pid;
  const cpuBefore = cpuSeconds(pid);
  const startedAt = Date.now();
  const ms = await timeUntilCounted(
    run.counting.counter,
    run.send,
    bench.context.timeoutMs,
    `fan-out product (${run.label})`,
  );
  const parts = partDurations(run.worker.logs, startedAt);
  return {
    items: run.counting.counter.seen,
    ms,
    figures: {
      workerCpuPct: round(((cpuSeconds(pid) - cpuBefore) * 100_000) / ms),
      // The last part logs after its hand-offs are out: a one-part window has no part time.
      ...(parts.length > 0 ? { medianPartMs: round(median(parts)) } : {}),
      handOffsRepeated: run.counting.messages() - run.counting.counter.seen,
    },
  };
}

/** Baseline window: the same hand-offs, already serialized, produced until the last ack. */
async function fanOutBaseline(bench: Bench, request: Request, label: string): Promise<Sample> {
  const owned: Owned = { topicPrefix: `bench.fan-out-${label}-raw-${randomSuffix()}.`, groups: [] };
  bench.leftovers.owned.add(owned);
  const topic = `${owned.topicPrefix}${DEFAULT_TOPICS.VerificationMailRequested}`;
  await createTopic(bench, topic);
  // The product's producer (idempotent, one request in flight, murmur2): the client
  // configuration the worker's outbox relay publishes with.
  const producer = createProducer(bench.kafka);
  await producer.connect();
  try {
    const started = performance.now();
    for (let start = 0; start < request.handOffs.length; start += PART_SIZE) {
      const messages = request.handOffs.slice(start, start + PART_SIZE);
      await producer.send({ topic, acks: -1, messages });
    }
    return { items: request.handOffs.length, ms: performance.now() - started };
  } finally {
    await producer.disconnect();
    await remove(bench, owned);
  }
}

/**
 * The product's topic creation, for the baseline's topic. kafkajs waits for the new topic's
 * leaders but gives up on UNKNOWN_TOPIC_OR_PARTITION, which a broker still busy deleting the
 * previous window's topics may answer for a moment: the topic exists then, so wait here.
 */
async function createTopic(bench: Bench, topic: string): Promise<void> {
  try {
    await ensureTopics(bench.kafka, [topic], bench.layout);
  } catch (error) {
    if (!(error instanceof KafkaJSProtocolError && error.type === 'UNKNOWN_TOPIC_OR_PARTITION'))
      throw error;
  }
  await waitFor(`leaders of ${topic}`, async () => {
    const { topics } = await bench.admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = topics[0]?.partitions ?? [];
    return partitions.length === bench.layout.partitions && partitions.every((p) => p.leader >= 0);
  });
}

async function produceParts(producer: Producer, topic: string, parts: Message[]): Promise<void> {
  // One send per part, as a requesting service would: all parts share the tenant's key, so
  // they are on one partition and the worker decides them in order either way.
  for (const part of parts) await producer.send({ topic, acks: -1, messages: [part] });
}

async function startWorker(bench: Bench, world: World): Promise<WorkerProcess> {
  const worker = await startWorkerProcess(
    'verification-worker',
    {
      ...benchAppEnv(world.id, bench.context.stack),
      // No mail step: the window measures the fan-out, not mails. Needs the worker's switch.
      MAIL_STEP: 'off',
    },
    WORKER_START_TIMEOUT_MS,
    'built',
  );
  bench.leftovers.workers.add(worker);
  await requireNoMailStep(bench.admin, world.groups.mail);
  await groupsSettled(worker);
  return worker;
}

/**
 * The worker's consumers rejoin their groups for a second or two after start-up: the new
 * topics' leaders are not yet known everywhere ("not the leader" on ListOffsets). Waiting until
 * the joins stop keeps that out of the window, which would otherwise open on a rebalancing worker.
 */
async function groupsSettled(worker: WorkerProcess): Promise<void> {
  const lastJoin = () =>
    Math.max(
      0,
      ...worker.logs
        .filter((line) => line.msg === 'joined the consumer group')
        .map((line) => Date.parse(String(line.time))),
    );
  await waitFor(
    'the worker to stop rejoining its consumer groups',
    () => Date.now() - lastJoin() >= GROUPS_QUIET_MS,
    { timeoutMs: WORKER_START_TIMEOUT_MS },
  );
}

/**
 * A worker without the MAIL_STEP switch would run its mail step, whose database work competes
 * with the decisions measured here: refuse to measure rather than report a mixed figure.
 */
async function requireNoMailStep(admin: Admin, mailGroup: string): Promise<void> {
  const { groups } = await admin.describeGroups([mailGroup]);
  if ((groups[0]?.members.length ?? 0) > 0)
    throw new Error(
      'the verification worker ignored MAIL_STEP=off and started its mail step; the fan-out ' +
        'scenario needs that switch (apps/verification-worker config.ts and bootstrap.ts)',
    );
}

/** Stops the worker gracefully and keeps its log in the results folder. */
async function stopWorker(bench: Bench, worker: WorkerProcess, label: string): Promise<void> {
  worker.kill('SIGTERM');
  await worker.exited;
  bench.leftovers.workers.delete(worker);
  const file = join(bench.context.resultsDir, `worker-${label}.log`);
  writeFileSync(file, worker.logs.map((line) => JSON.stringify(line)).join('\n') + '\n');
}

interface HandOffCount {
  consumer: Consumer;
  /** Distinct users handed off; full once every user was. */
  counter: EventCounter;
  messages(): number;
  meanValueBytes(): number;
}

/** The bench's own consumer on the hand-off topic, joined before the window opens. */
async function countHandOffs(
  kafka: Kafka,
  topic: string,
  groupId: string,
  users: number,
): Promise<HandOffCount> {
  const counter = new EventCounter(users);
  const keys = new Set<string>();
  let messages = 0;
  let bytes = 0;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        messages++;
        bytes += message.value?.length ?? 0;
        const key = message.key?.toString() ?? '';
        if (!keys.has(key)) {
          keys.add(key);
          counter.add(1);
        }
      }
    },
  });
  return {
    consumer,
    counter,
    messages: () => messages,
    meanValueBytes: () => Math.round(bytes / Math.max(1, messages)),
  };
}

function meanValueBytes(messages: Message[]): number {
  const bytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m.value ?? ''), 0);
  return Math.round(bytes / Math.max(1, messages.length));
}

/**
 * Time per part from the worker's "verification request recorded" lines: the parts share one
 * partition, so they are decided one after another and the gaps are the parts' durations.
 */
function partDurations(logs: readonly Record<string, unknown>[], windowStart: number): number[] {
  const times = logs
    .filter((line) => line.msg === 'verification request recorded')
    .map((line) => Date.parse(String(line.time)))
    .filter((time) => time >= windowStart);
  return times.map((time, i) => time - (i === 0 ? windowStart : (times[i - 1] as number)));
}

/** CPU seconds (user + system) a process has used so far; 0 when it is gone. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces: the fields are counted after its closing paren.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Deletes what a window created, groups before topics (deleting a topic drops its offsets). */
async function remove(bench: Bench, owned: Owned): Promise<void> {
  if (owned.groups.length > 0) await bench.admin.deleteGroups(owned.groups).catch(() => undefined);
  const topics = (await bench.admin.listTopics()).filter((t) => t.startsWith(owned.topicPrefix));
  if (topics.length > 0) await bench.admin.deleteTopics({ topics });
  // Only once the worker is gone: it must not write into a dropped database.
  if (owned.database) await bench.mongo.useDb(owned.database).dropDatabase();
  bench.leftovers.owned.delete(owned);
}

async function close(bench: Bench): Promise<void> {
  try {
    for (const worker of bench.leftovers.workers) await stopWorker(bench, worker, 'unfinished');
    for (const owned of bench.leftovers.owned) await remove(bench, owned);
  } finally {
    await bench.admin.disconnect();
    await bench.mongo.close();
  }
}
