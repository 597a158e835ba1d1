/**
 * fairness: one tenant's bulk request is being mailed, and administrators of other tenants
 * each send one new employee a verification mail, one every 5 s. Every single send should be
 * accepted by SMTP within seconds, and cost the bulk request little of its rate.
 *
 * Product: the verification worker as its own process, the bulk request and the single sends.
 * Baseline: the same worker and bulk request without the single sends. Both are measured over
 * the same interval of the bulk's mailing (one single send every 5 s, 20 at scale 1), starting
 * once its mails flow; the rate is the bulk's mails accepted in that interval. The ratio is how
 * much of its rate the bulk kept; each single send's wait (its request produced to its mail
 * accepted by the sink) is logged, and the worst is held to the target.
 *
 * Two scenarios: `fairness` with the rate limit lifted, and `fairness-rate-50` with the
 * product's default SMTP_RATE_PER_SECOND (50), which the bulk saturates (`--only fairness`
 * runs both).
 */
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, Partitioners, type Admin, type Message, type Producer } from 'kafkajs';
import { createEvent } from '@app/contracts';
import { topicEnvName } from '@app/messaging';
import { buildApp } from '../support/bench-world';
import { bulkRequestParts, requestMessage, withFreshWorker } from '../support/fresh-worker';
import { median, round } from '../support/measure';
import { NullSmtpSink, WATCHED_RECIPIENT_PREFIX } from '../support/null-smtp-sink';
import type { Sample, Scenario, ScenarioContext, ScenarioRunner } from '../support/scenario';

const BULK_USERS = 100_000;
const PART_SIZE = 1_000;
const SINGLES = 20;
const MIN_SINGLES = 3;
const SINGLE_EVERY_MS = 5_000;
/** Single sends not accepted this long after the interval count as failed, not as waits. */
const SINGLE_GIVE_UP_MS = 120_000;
const BULK_TENANT = 'bench-fair-bulk';

export const fairnessScenario: Scenario = fairness('fairness', undefined);
export const fairnessRate50Scenario: Scenario = fairness('fairness-rate-50', 50);

function fairness(name: string, ratePerSecond: number | undefined): Scenario {
  const limit = ratePerSecond ? `SMTP_RATE_PER_SECOND=${ratePerSecond}` : 'no rate limit';
  return {
    name,
    product: `bulk request of one tenant + one single send of another every 5 s (${limit})`,
    baseline: `the same bulk request alone (${limit})`,
    unit: 'bulk mails',
    open: (context) => openFairness(context, ratePerSecond),
  };
}

interface World {
  context: ScenarioContext;
  kafka: Kafka;
  admin: Admin;
  sink: NullSmtpSink;
  ratePerSecond: number | undefined;
  bulkUsers: number;
  singles: number;
}

async function openFairness(
  context: ScenarioContext,
  ratePerSecond: number | undefined,
): Promise<ScenarioRunner> {
  const kafka = new Kafka({
    clientId: 'bench-fairness',
    brokers: context.stack.brokers,
    // A fresh topic's first sends meet leaders still being elected, retried and logged as
    // errors; a send that fails for good still throws.
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  buildApp('verification-worker', context.log);
  const sink = await NullSmtpSink.start();
  const world: World = {
    context,
    kafka,
    admin,
    sink,
    ratePerSecond,
    bulkUsers: Math.max(10 * PART_SIZE, Math.round(BULK_USERS * context.scale)),
    singles: Math.max(MIN_SINGLES, Math.round(SINGLES * context.scale)),
  };
  context.log(
    `${world.bulkUsers}-user bulk request, ${world.singles} single sends, one every ${SINGLE_EVERY_MS / 1000} s`,
  );
  const warm = { ...world, bulkUsers: 2 * PART_SIZE, singles: 1 };
  return {
    items: world.bulkUsers,
    warmUp: async () => void (await runWindow(warm, true, 'warm-up')),
    product: (run) => runWindow(world, true, `run${run}`),
    baseline: (run) => runWindow(world, false, `baseline-run${run}`),
    async close() {
      await sink.stop();
      await admin.disconnect();
    },
  };
}

/** One window on fresh topics, groups and database, with a freshly started worker. */
function runWindow(world: World, withSingles: boolean, label: string): Promise<Sample> {
  const env = {
    SMTP_URL: world.sink.url,
    ...(world.ratePerSecond ? { SMTP_RATE_PER_SECOND: String(world.ratePerSecond) } : {}),
  };
  return withFreshWorker(world, label, env, async ({ topics, id }) => {
    const producer = world.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      const topic = topics[topicEnvName('VerificationRequested')] as string;
      return await measure(world, { producer, topic, id, withSingles, label });
    } finally {
      await producer.disconnect();
    }
  });
}

interface Window {
  producer: Producer;
  topic: string;
  id: string;
  withSingles: boolean;
  label: string;
}

async function measure(world: World, window: Window): Promise<Sample> {
  const { producer, topic } = window;
  const accepted = async () => (await world.sink.count()).accepted;
  const before = await accepted();
  for (const part of bulkParts(world.bulkUsers)) await producer.send({ topic, messages: [part] });
  // The interval starts once the bulk's mails flow: the single sends meet a mail step at work.
  const flowing = before + Math.min(200, Math.ceil(world.bulkUsers / 100));
  await until(world, () => accepted().then((n) => n >= flowing), 'the bulk mails to flow');

  const sent: { to: string; at: number }[] = [];
  const start = { at: Date.now(), accepted: await accepted(), clock: performance.now() };
  for (let i = 0; i < world.singles; i++) {
    await sleepUntil(start.clock + i * SINGLE_EVERY_MS);
    if (!window.withSingles) continue;
    const to = `${WATCHED_RECIPIENT_PREFIX}${window.id}-${i}@example.se`;
    sent.push({ to, at: Date.now() });
    await producer.send({ topic, messages: [singleRequest(`${window.id}-${i}`, to)] });
  }
  await sleepUntil(start.clock + world.singles * SINGLE_EVERY_MS);
  const end = { at: Date.now(), accepted: await accepted(), clock: performance.now() };
  if (end.accepted - before >= world.bulkUsers)
    throw new Error(`${window.label}: the bulk request was done before the interval ended`);

  const waits = await singleWaits(world, sent);
  const singlesInInterval = (await world.sink.acceptances()).filter(
    (a) => a.at >= start.at && a.at <= end.at && sent.some((s) => s.to === a.to),
  ).length;
  if (window.withSingles)
    world.context.log(
      `${window.label}: single sends waited ${waits.map((ms) => `${Math.round(ms)} ms`).join(', ')}`,
    );
  return {
    items: end.accepted - start.accepted - singlesInInterval,
    ms: round(end.clock - start.clock, 1),
    figures: window.withSingles
      ? {
          singles: waits.length,
          maxSingleWaitMs: Math.round(Math.max(...waits)),
          medianSingleWaitMs: Math.round(median(waits)),
        }
      : {},
  };
}

/** Each single send's wait: its request produced to its mail accepted; all of them arrive. */
async function singleWaits(world: World, sent: { to: string; at: number }[]): Promise<number[]> {
  if (sent.length === 0) return [];
  const deadline = performance.now() + SINGLE_GIVE_UP_MS;
  for (;;) {
    const acceptances = await world.sink.acceptances();
    const waits = sent.map((s) => {
      const accepted = acceptances.find((a) => a.to === s.to);
      return accepted ? accepted.at - s.at : undefined;
    });
    if (waits.every((w) => w !== undefined)) return waits;
    if (performance.now() > deadline)
      throw new Error(
        `${waits.filter((w) => w === undefined).length} single sends not mailed in ${SINGLE_GIVE_UP_MS / 1000} s`,
      );
    await sleep(100);
  }
}

async function until(world: World, done: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = performance.now() + world.context.timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`waiting for ${what}: timed out`);
    await sleep(100);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sleepUntil(clock: number): Promise<void> {
  const ms = clock - performance.now();
  if (ms > 0) await sleep(ms);
}

/** The bulk request's parts: new users with an address each. */
function bulkParts(users: number): Message[] {
  return bulkRequestParts(BULK_TENANT, users, (n) => ({
    userId: `user-${n}`,
    email: `user-${n}@example.se`,
  }));
}

/** One administrator of another tenant sends one new employee a verification mail. */
function singleRequest(suffix: string, email: string): Message {
  const tenantId = `bench-fair-${suffix}`;
  return requestMessage(
    createEvent(
      'VerificationRequested',
      {
        requestId: `single-${suffix}`,
        tenantId,
        requestedBy: { userId: 'admin' },
        users: [{ userId: 'new-employee', email, displayName: 'Ny Anställd' }],
      },
      { source: '/bench' },
    ),
    tenantId,
  );
}
