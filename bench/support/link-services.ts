/**
 * What the link benchmarks press buttons against: the verification worker and the verification
 * page as their own processes on the local stack (their own topics, groups and database), a
 * loopback SMTP server that keeps each mail's token, and a consumer of the benchmark's own that
 * notes when each user's EmailVerified and VismaConnectLinked arrive. Used by bench/link-latency.bench.ts (one
 * user at a time) and bench/scenarios/link.ts (open loop at a fixed rate).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type Producer } from 'kafkajs';
import { simpleParser } from 'mailparser';
import mongoose from 'mongoose';
import { SMTPServer } from 'smtp-server';
import {
  CLOUDEVENTS_CONTENT_TYPE,
  createEvent,
  kafkaKeyOf,
  parseEventOf,
  serializeEvent,
  type EventType,
} from '@app/contracts';
import { loadConfig } from '@app/config';
import { ensureTopics, kafkaEnvSchema, topicEnvName } from '@app/messaging';
import { freePort, openPage, pressButton, tokenIn } from '../../test/support/page-client';
import { waitUntil } from './process';
import { benchAppEnv, benchDatabaseName, benchTopicEnv } from './bench-world';
import { withDatabase, type StackEnv } from './stack';
import { randomSuffix } from './topics';

const ROOT = resolve(__dirname, '..', '..');
const APPS = ['verification-worker', 'verification-page'] as const;
type App = (typeof APPS)[number];
/** VerificationRequested carries at most this many users. */
const PART_SIZE = 1000;
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;
/** What the benchmark's consumer notes the arrival of, per user. */
export const WATCHED = ['EmailVerified', 'VismaConnectLinked'] as const;
export type Watched = (typeof WATCHED)[number];

export interface LinkServicesOptions {
  stack: StackEnv;
  /** Both services' stdout and stderr go to this file. */
  logPath: string;
}

type Cleanup = () => Promise<unknown>;

export class LinkServices {
  private readonly tokens = new Map<string, string>();
  private readonly completed = new Set<string>();
  private readonly seen: Record<Watched, Map<string, number>> = {
    EmailVerified: new Map(),
    VismaConnectLinked: new Map(),
  };
  /** Run in reverse order by close(); each step runs even if an earlier one failed. */
  private readonly cleanups: Cleanup[] = [];
  private readonly children = new Map<App, ChildProcess>();
  private nextUser = 0;
  private producer?: Producer;

  private constructor(
    private readonly id: string,
    private readonly topics: Record<string, string>,
    readonly baseUrl: string,
  ) {}

  /** Starts everything; on a failure half-way, stops what had started and rethrows. */
  static async start(options: LinkServicesOptions): Promise<LinkServices> {
    const id = `link-${randomSuffix()}`;
    const topics = benchTopicEnv(id);
    const services = new LinkServices(id, topics, `http://127.0.0.1:${await freePort()}`);
    try {
      await services.open(options);
      return services;
    } catch (error) {
      await services.close();
      throw error;
    }
  }

  /**
   * Sends one VerificationRequested (in parts of 1000) for `count` new users through the real
   * pipeline and resolves once the SMTP server has every one's token. Returns their user ids.
   */
  async mailNewUsers(count: number, timeoutMs: number): Promise<string[]> {
    const userIds = Array.from({ length: count }, () => `u${this.nextUser++}`);
    const requestId = `bench-${this.id}-${userIds[0]}`;
    const parts = Math.ceil(count / PART_SIZE);
    const events = Array.from({ length: parts }, (_, p) =>
      createEvent(
        'VerificationRequested',
        {
          requestId,
          tenantId: 'bench',
          requestedBy: { userId: 'bench' },
          users: userIds
            .slice(p * PART_SIZE, (p + 1) * PART_SIZE)
            .map((userId) => ({ userId, email: `${userId}@example.se` })),
          part: { index: p + 1, count: parts },
        },
        { source: '/bench' },
      ),
    );
    if (!this.producer) throw new Error('link services: mailNewUsers before start');
    await this.producer.send({
      topic: this.topic('VerificationRequested'),
      messages: events.map((event) => ({
        key: kafkaKeyOf(event),
        value: serializeEvent(event),
        headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
      })),
    });
    await waitUntil(
      () => userIds.every((userId) => this.tokens.has(userId)),
      timeoutMs,
      `${count} verification mails`,
      200,
    );
    // The worker settles each mail after the SMTP server took it; windows start when it is done,
    // so no measured link shares the database with the tail of the mailing.
    await waitUntil(
      () => this.completed.has(requestId),
      timeoutMs,
      `the completion of the request mailing ${count} users`,
      200,
    );
    return userIds;
  }

  /** The link in the user's mail. */
  linkUrl(userId: string): string {
    const token = this.tokens.get(userId);
    if (!token) throw new Error(`no mail reached ${userId}`);
    return `${this.baseUrl}/verify/${token}`;
  }

  /**
   * `performance.now()` when the benchmark's consumer saw the user's first event of `type`:
   * VismaConnectLinked ends a verification; EmailVerified (the page's publication) splits it
   * into the page's part and the linker's.
   */
  seenAt(type: Watched, userId: string): number | undefined {
    return this.seen[type].get(userId);
  }

  /** CPU time each service has used so far, in ms (Linux /proc; 0 once a service is gone). */
  cpuMs(): Record<App, number> {
    const of = (app: App) => processCpuMs(this.children.get(app)?.pid);
    return {
      'verification-worker': of('verification-worker'),
      'verification-page': of('verification-page'),
    };
  }

  /** Stops the services, then removes the topics, groups and database. Safe to call twice. */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const cleanup of this.cleanups.splice(0).reverse())
      await cleanup().catch((error: unknown) => errors.push(error));
    if (errors.length > 0) throw new AggregateError(errors, 'link services: clean-up failed');
  }

  private get database(): string {
    return benchDatabaseName(this.id);
  }

  private topic(type: EventType): string {
    return this.topics[topicEnvName(type)] as string;
  }

  // Every step registers its undo as soon as it has something to undo.
  private async open(options: LinkServicesOptions): Promise<void> {
    // Registered first, so it runs last: the services must not write into a dropped database.
    this.cleanups.push(() => dropDatabase(withDatabase(options.stack.mongoUri, this.database)));

    const kafka = new Kafka({
      clientId: 'bench-link',
      brokers: options.stack.brokers,
      logLevel: logLevel.ERROR,
    });
    const admin = kafka.admin();
    await admin.connect();
    this.cleanups.push(() => admin.disconnect());
    this.cleanups.push(() => removeKafkaLeftovers(admin, `bench.${this.id}`));
    const env = this.serviceEnv(options.stack, await this.startTokenSink());
    // The watcher subscribes before the services have created their topics: create the watched
    // ones as the services would (the product's layout from the same environment).
    const layout = loadConfig(kafkaEnvSchema, env);
    await ensureTopics(
      kafka,
      [...WATCHED.map((type) => this.topic(type)), this.topic('VerificationBatchCompleted')],
      {
        partitions: layout.KAFKA_TOPIC_PARTITIONS,
        replicationFactor: layout.KAFKA_TOPIC_REPLICATION_FACTOR,
        maxMessageBytes: layout.KAFKA_TOPIC_MAX_MESSAGE_BYTES,
      },
    );
    await this.watch(kafka);
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await this.producer.connect();
    this.cleanups.push(() => this.producer?.disconnect() ?? Promise.resolve());

    await startServices(env, options.logPath, this.cleanups, this.children);
  }

  private async startTokenSink(): Promise<number> {
    const sink = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            const to = session.envelope.rcptTo[0]?.address ?? '';
            const token = tokenIn(mail.text, this.baseUrl);
            if (token) this.tokens.set(to.split('@')[0] ?? '', token);
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    await new Promise<void>((done) => sink.listen(0, '127.0.0.1', () => done()));
    sink.on('error', () => undefined); // a worker stopped mid-session resets its connection
    this.cleanups.push(() => new Promise<void>((done) => sink.close(() => done())));
    const address = sink.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Resolves once the watcher has joined its group, so the first events are not late for it. */
  private async watch(kafka: Kafka): Promise<void> {
    // The long poll only matters while the topic is idle: a fetch returns as soon as data is in.
    const consumer: Consumer = kafka.consumer({
      groupId: `bench.${this.id}.watch`,
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    this.cleanups.push(() => consumer.disconnect());
    const joined = new Promise<void>((done) =>
      consumer.on(consumer.events.GROUP_JOIN, () => done()),
    );
    const typeOf = new Map(WATCHED.map((type) => [this.topic(type), type]));
    const completions = this.topic('VerificationBatchCompleted');
    await consumer.subscribe({ topics: [...typeOf.keys(), completions], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === completions) {
          const completed = parseEventOf(message.value, 'VerificationBatchCompleted');
          if (completed.ok) this.completed.add(completed.event.data.requestId);
          return;
        }
        const arrived = performance.now();
        const type = typeOf.get(topic) ?? 'VismaConnectLinked';
        const parsed = parseEventOf(message.value, type);
        const seen = this.seen[type];
        if (parsed.ok && !seen.has(parsed.event.data.userId))
          seen.set(parsed.event.data.userId, arrived);
      },
    });
    await joined;
  }

  private serviceEnv(stack: StackEnv, smtpPort: number): Record<string, string> {
    const id = this.id;
    return {
      ...(process.env as Record<string, string>),
      ...benchAppEnv(id, stack),
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      PUBLIC_BASE_URL: this.baseUrl,
      PAGE_PORT: new URL(this.baseUrl).port,
      PAGE_CSRF_SECRET: randomBytes(32).toString('hex'),
      // Every request comes from 127.0.0.1: 50 verifications/s are 6,000 requests a minute.
      // The throttler still counts each request (its cost stays in the figures), it just never
      // refuses one. PAGE_MIN_RESPONSE_MS keeps its default (300 ms on every /verify answer).
      PAGE_RATE_LIMIT_PER_MINUTE: '100000',
    };
  }
}

/** GETs the page as a browser does and takes the form's CSRF cookie and field. */
export async function openForm(url: string): Promise<{ cookie: string; csrf: string }> {
  const page = await openPage(url);
  if (page.status !== 200 || !page.cookie || !page.csrf)
    throw new Error(`the verification page did not show its form (HTTP ${page.status})`);
  return { cookie: page.cookie, csrf: page.csrf };
}

/** POSTs the form; throws unless the page says the address is verified. */
export async function confirm(url: string, form: { cookie: string; csrf: string }): Promise<void> {
  const answer = await pressButton(url, form);
  if (!answer.html.includes('är verifierad'))
    throw new Error(`the page did not verify (HTTP ${answer.status})`);
}

/** Nearest-rank percentile of ascending `sorted` (q in 0..1). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

/** Spawns the apps from source, logs to `logPath`, and resolves once both said they started. */
async function startServices(
  env: Record<string, string>,
  logPath: string,
  cleanups: Cleanup[],
  children: Map<App, ChildProcess>,
): Promise<void> {
  mkdirSync(dirname(logPath), { recursive: true });
  const log = createWriteStream(logPath);
  cleanups.push(() => new Promise<void>((done) => log.end(() => done())));
  await Promise.all(
    APPS.map((app) => {
      const child = spawn(
        process.execPath,
        ['-r', '@swc-node/register', `apps/${app}/src/main.ts`],
        {
          cwd: ROOT,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.set(app, child);
      cleanups.push(() => stop(child));
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
      return startedLine(child, app, logPath);
    }),
  );
}

/** Resolves when the app logs "<app name> started"; rejects if it exits or takes too long. */
function startedLine(child: ChildProcess, app: string, logPath: string): Promise<void> {
  const line = `${app.replace('-', ' ')} started`;
  return new Promise<void>((done, fail) => {
    let seen = '';
    const timer = setTimeout(
      () => fail(new Error(`${app} did not start in ${START_TIMEOUT_MS} ms (see ${logPath})`)),
      START_TIMEOUT_MS,
    );
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      fail(new Error(`${app} exited with ${code} during start-up (see ${logPath})`));
    };
    child.once('exit', onExit);
    child.stdout?.on('data', function watch(chunk: Buffer) {
      // Keep only a tail, so a line split across chunks is still found.
      seen = (seen + chunk.toString()).slice(-4096);
      if (!seen.includes(line)) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', watch);
      done();
    });
  });
}

/** SIGTERM (the services' graceful stop), then SIGKILL if it takes too long. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited.finally(() => clearTimeout(timer));
}

/** The services also create retry and dead-letter topics: remove every topic and group of the run. */
async function removeKafkaLeftovers(admin: Admin, prefix: string): Promise<void> {
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
  if (topics.length > 0) await admin.deleteTopics({ topics });
  const { groups } = await admin.listGroups();
  const ids = groups
    .map((g) => g.groupId)
    .filter((g) => g === prefix || g.startsWith(`${prefix}.`));
  if (ids.length > 0) await admin.deleteGroups(ids);
}

/** utime + stime of a process from /proc/<pid>/stat, in ms (clock ticks are 10 ms on Linux). */
function processCpuMs(pid: number | undefined): number {
  try {
    // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

async function dropDatabase(uri: string): Promise<void> {
  const db = await mongoose.createConnection(uri).asPromise();
  try {
    await db.dropDatabase();
  } finally {
    await db.close();
  }
}
