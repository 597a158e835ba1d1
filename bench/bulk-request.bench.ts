/**
 * One bulk VerificationRequested of many users, end to end: the verification worker as its own
 * process on the real broker and database, mailing to a loopback SMTP server that accepts
 * everything. Prints the time from the first part sent to VerificationBatchCompleted, the mails
 * received, and the worker's peak resident memory. See bench/README.md.
 *
 *   node -r @swc-node/register bench/bulk-request.bench.ts [--users 50000] [--timeout-s 3600]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import mongoose from 'mongoose';
import { SMTPServer } from 'smtp-server';
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
import { BENCH_STACK, resolveStackEnv } from './support/stack';

const ROOT = resolve(__dirname, '..');
const RESULTS_DIR = join(__dirname, 'results');
const PART_SIZE = 1000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '50000' },
      'timeout-s': { type: 'string', default: '3600' },
    },
  });
  const users = Number(values.users);
  const timeoutMs = Number(values['timeout-s']) * 1000;
  const stack = resolveStackEnv(process.env, BENCH_STACK);
  const id = `bulk-${randomBytes(3).toString('hex')}`;
  mkdirSync(RESULTS_DIR, { recursive: true });

  let mails = 0;
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, _session, callback) => {
      stream.on('end', () => {
        mails++;
        callback();
      });
      stream.resume();
    },
  });
  await new Promise<void>((done) => sink.listen(0, '127.0.0.1', () => done()));
  sink.on('error', () => undefined); // a worker killed mid-session resets its connection
  const address = sink.server.address();
  const smtpPort = typeof address === 'object' && address ? address.port : 0;

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
    CONSUMER_GROUP: `bench.${id}`,
    BULK_DECISIONS_CONSUMER_GROUP: `bench.${id}.bulk`,
    MAIL_CONSUMER_GROUP: `bench.${id}.mail`,
    MAIL_INTERACTIVE_CONSUMER_GROUP: `bench.${id}.mail-interactive`,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    SMTP_RATE_PER_SECOND: '100000',
    PUBLIC_BASE_URL: 'http://127.0.0.1:8080',
    LOGIN_URL: 'https://connect.visma.com/',
    HEALTH_PORT: '0',
    LOG_LEVEL: 'info',
  };
  const workerLog = join(RESULTS_DIR, 'bulk-request-worker.log');
  const worker = spawn(
    process.execPath,
    ['-r', '@swc-node/register', 'apps/verification-worker/src/main.ts'],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logFile = createWriteStream(workerLog);
  worker.stdout.pipe(logFile);
  worker.stderr.pipe(logFile);
  const exited = new Promise<void>((done) => worker.once('exit', () => done()));
  let peakRssKb = 0;
  const sampler = setInterval(() => {
    peakRssKb = Math.max(peakRssKb, rssKb(worker.pid));
  }, 250);

  const kafka = new Kafka({
    clientId: 'bench-bulk',
    brokers: stack.brokers,
    logLevel: logLevel.ERROR,
  });
  const completedTopic = topics[topicEnvName('VerificationBatchCompleted')] as string;
  const requestedTopic = topics[topicEnvName('VerificationRequested')] as string;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: completedTopic, numPartitions: 6 }] });
  const consumer = kafka.consumer({ groupId: `bench.${id}.watch` });
  await consumer.connect();
  await consumer.subscribe({ topic: completedTopic, fromBeginning: true });
  const requestId = `bench-${id}`;
  let completion: Record<string, unknown> | undefined;
  await consumer.run({
    eachMessage: async ({ message }) => {
      const parsed = parseEventOf(message.value, 'VerificationBatchCompleted');
      if (parsed.ok && parsed.event.data.requestId === requestId) completion = parsed.event.data;
    },
  });

  try {
    await waitUntil(
      () => readFileSync(workerLog, 'utf8').includes('verification worker started'),
      120_000,
    );
    const parts = Math.ceil(users / PART_SIZE);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const started = Date.now();
    for (let p = 0; p < parts; p++) {
      const slice = Array.from({ length: Math.min(PART_SIZE, users - p * PART_SIZE) }, (_, i) => {
        const n = p * PART_SIZE + i;
        return { userId: `user-${n}`, email: `user-${n}@example.se` };
      });
      const event = createEvent(
        'VerificationRequested',
        {
          requestId,
          tenantId: 'bench',
          requestedBy: { userId: 'bench' },
          users: slice,
          part: { index: p + 1, count: parts },
        },
        { source: '/bench' },
      );
      await producer.send({
        topic: requestedTopic,
        messages: [
          {
            key: 'bench',
            value: serializeEvent(event),
            headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
          },
        ],
      });
    }
    await producer.disconnect();
    console.error(`[bench] sent ${parts} parts of up to ${PART_SIZE} users (${users} in all)`);
    const progress = setInterval(() => {
      const s = Math.round((Date.now() - started) / 1000);
      console.error(
        `[bench] ${s}s: ${mails} mails received, worker RSS ${Math.round(rssKb(worker.pid) / 1024)} MB`,
      );
    }, 15_000);
    await waitUntil(() => completion !== undefined, timeoutMs).finally(() =>
      clearInterval(progress),
    );
    const seconds = (Date.now() - started) / 1000;
    const result = {
      date: new Date().toISOString(),
      users,
      seconds,
      usersPerSecond: Math.round(users / seconds),
      mailsReceived: mails,
      completion,
      workerPeakRssMb: Math.round(peakRssKb / 1024),
      node: process.version,
      // The server the run used: the local stack's, or MONGODB_URI's.
      database: process.env.MONGODB_URI
        ? 'MONGODB_URI'
        : 'mongo-java-server (local stack), same machine',
    };
    writeFileSync(join(RESULTS_DIR, 'bulk-request.json'), JSON.stringify(result, null, 2));
    console.log(
      `bulk request of ${users} users: completed in ${seconds.toFixed(0)} s (${result.usersPerSecond} users/s), ` +
        `${mails} mails received, worker peak RSS ${result.workerPeakRssMb} MB`,
    );
    console.log(JSON.stringify(completion));
  } finally {
    clearInterval(sampler);
    worker.kill('SIGTERM');
    await exited;
    await consumer.disconnect();
    await admin
      .deleteTopics({ topics: Object.values(topics).filter((t) => t.startsWith('bench.')) })
      .catch(() => undefined);
    await admin.disconnect();
    sink.close();
    const db = await mongoose.createConnection(mongoUri.toString()).asPromise();
    await db.dropDatabase();
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
