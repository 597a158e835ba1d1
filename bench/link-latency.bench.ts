/**
 * From the button to the identity service: for each of N users, the time from the POST of the
 * verification page to its VismaConnectLinked arriving on the topic. The worker and the page run
 * as their own processes on the real broker and database; the mails come from the real pipeline.
 * One user at a time, so the figure is latency, not queueing. See bench/README.md.
 *
 *   node -r @swc-node/register bench/link-latency.bench.ts [--users 200]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { simpleParser } from 'mailparser';
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
import { waitUntil } from './support/process';
import { resolveStackEnv } from './support/stack';

const ROOT = resolve(__dirname, '..');
const RESULTS_DIR = join(__dirname, 'results');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { users: { type: 'string', default: '200' } } });
  const users = Number(values.users);
  if (!Number.isInteger(users) || users < 1 || users > 1000)
    throw new Error('--users must be 1..1000 (one request part)');
  const stack = resolveStackEnv();
  const id = `link-${randomBytes(3).toString('hex')}`;
  mkdirSync(RESULTS_DIR, { recursive: true });

  const tokens = new Map<string, string>();
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, session, callback) => {
      simpleParser(stream).then(
        (mail) => {
          const to = session.envelope.rcptTo[0]?.address ?? '';
          const token = /\/verify\/([A-Za-z0-9_-]{43})/.exec(mail.text ?? '')?.[1];
          if (token) tokens.set(to.split('@')[0] ?? '', token);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((done) => sink.listen(0, '127.0.0.1', () => done()));
  sink.on('error', () => undefined); // a worker killed mid-session resets its connection
  const smtpAddress = sink.server.address();
  const smtpPort = typeof smtpAddress === 'object' && smtpAddress ? smtpAddress.port : 0;
  const pagePort = 18000 + Math.floor(Math.random() * 1000);
  const baseUrl = `http://127.0.0.1:${pagePort}`;

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
    MAIL_CONSUMER_GROUP: `bench.${id}.mail`,
    LINKER_CONSUMER_GROUP: `bench.${id}.linker`,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    SMTP_RATE_PER_SECOND: '100000',
    PUBLIC_BASE_URL: baseUrl,
    LOGIN_URL: 'https://connect.visma.com/',
    PAGE_PORT: String(pagePort),
    PAGE_CSRF_SECRET: randomBytes(32).toString('hex'),
    // Every request comes from this one address.
    PAGE_RATE_LIMIT_PER_MINUTE: '100000',
    HEALTH_PORT: '0',
    LOG_LEVEL: 'info',
  };
  const logPath = join(RESULTS_DIR, 'link-latency-services.log');
  const log = createWriteStream(logPath);
  const services = ['verification-worker', 'verification-page'].map((app) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', `apps/${app}/src/main.ts`], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    return child;
  });

  const kafka = new Kafka({
    clientId: 'bench-link',
    brokers: stack.brokers,
    logLevel: logLevel.ERROR,
  });
  const linkedTopic = topics[topicEnvName('VismaConnectLinked')] as string;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: linkedTopic, numPartitions: 6 }] });
  const linkedAt = new Map<string, number>();
  const consumer = kafka.consumer({ groupId: `bench.${id}.watch`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: linkedTopic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const arrived = Date.now();
      const parsed = parseEventOf(message.value, 'VismaConnectLinked');
      if (parsed.ok && !linkedAt.has(parsed.event.data.userId))
        linkedAt.set(parsed.event.data.userId, arrived);
    },
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();

  try {
    await waitUntil(
      () => {
        const text = readFileSync(logPath, 'utf8');
        return (
          text.includes('verification worker started') && text.includes('verification page started')
        );
      },
      120_000,
      'the worker and the page to start',
    );
    const userIds = Array.from({ length: users }, (_, i) => `u${i}`);
    const request = createEvent(
      'VerificationRequested',
      {
        requestId: `bench-${id}`,
        tenantId: 'bench',
        requestedBy: { userId: 'bench' },
        users: userIds.map((userId) => ({ userId, email: `${userId}@example.se` })),
      },
      { source: '/bench' },
    );
    await producer.send({
      topic: topics[topicEnvName('VerificationRequested')] as string,
      messages: [
        {
          key: 'bench',
          value: serializeEvent(request),
          headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
        },
      ],
    });
    await waitUntil(() => tokens.size >= users, 600_000, `${users} mails`);
    console.log(`[bench] ${users} verification mails received; pressing the buttons`);

    const latencies: number[] = [];
    for (const userId of userIds) {
      const url = `${baseUrl}/verify/${tokens.get(userId)}`;
      const page = await fetch(url);
      const cookie = page.headers.getSetCookie()[0]?.split(';')[0] ?? '';
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
      const pressed = Date.now();
      const answer = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ _csrf: csrf }).toString(),
      });
      if (!(await answer.text()).includes('är verifierad'))
        throw new Error(`${userId}: the page did not verify (HTTP ${answer.status})`);
      await waitUntil(() => linkedAt.has(userId), 60_000, `VismaConnectLinked for ${userId}`);
      latencies.push((linkedAt.get(userId) ?? 0) - pressed);
    }

    const sorted = [...latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    const result = {
      users,
      medianMs: at(0.5),
      p90Ms: at(0.9),
      p99Ms: at(0.99),
      maxMs: sorted.at(-1),
      minMs: sorted[0],
      measuredAt: new Date().toISOString(),
    };
    writeFileSync(join(RESULTS_DIR, 'link-latency.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `[bench] POST to VismaConnectLinked on the topic, ${users} users one at a time: ` +
        `median ${result.medianMs} ms, p90 ${result.p90Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms`,
    );
  } finally {
    await stopAll(services);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
    sink.close();
    const db = await mongoose.createConnection(mongoUri.toString()).asPromise();
    await db.dropDatabase();
    await db.close();
  }
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
