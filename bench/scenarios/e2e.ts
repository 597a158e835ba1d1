import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, Partitioners, type Admin, type Message } from 'kafkajs';
import { topicEnvName } from '@app/messaging';
import type { WorkerProcess } from '../../test/support/worker-process';
import { buildApp } from '../support/bench-world';
import { bulkRequestParts, withFreshWorker } from '../support/fresh-worker';
import { NullSmtpSink } from '../support/null-smtp-sink';
import { rssKb } from '../support/process';
import type { Sample, Scenario, ScenarioContext, ScenarioRunner } from '../support/scenario';

const USERS = 100_000;
const PART_SIZE = 1_000;
const WARMUP_USERS = 1_000;
const RSS_EVERY_MS = 250;
// prom-client resets its event-loop histogram at each scrape: each scrape is one interval's p99.
const SCRAPE_EVERY_MS = 5_000;

/**
 * The whole pipeline for one bulk request: the verification worker as its own process decides
 * every user, hands each to its mail step, renders and sends over SMTP to a null sink in
 * another process. The window runs from the first part produced to the sink's last acceptance.
 * Its baseline is derived by `npm run bench`: the slowest of the raw fan-out, state and mail
 * stages of the same run.
 */
export const endToEndScenario: Scenario = {
  name: 'e2e',
  product: 'bulk request -> every mail accepted by SMTP (worker process)',
  baseline: 'slowest raw stage of fan-out, state and mail',
  unit: 'users',
  open: openEndToEnd,
};

interface World {
  context: ScenarioContext;
  kafka: Kafka;
  admin: Admin;
  sink: NullSmtpSink;
}

async function openEndToEnd(context: ScenarioContext): Promise<ScenarioRunner> {
  const users = Math.max(PART_SIZE, Math.round(USERS * context.scale));
  const kafka = new Kafka({
    clientId: 'bench-e2e',
    brokers: context.stack.brokers,
    logLevel: logLevel.ERROR,
  });
  const admin = kafka.admin();
  await admin.connect();
  buildApp('verification-worker', context.log);
  const sink = await NullSmtpSink.start();
  const world: World = { context, kafka, admin, sink };
  return {
    items: users,
    warmUp: async () => void (await runOnce(world, Math.min(WARMUP_USERS, users), 'warm-up')),
    product: (run) => runOnce(world, users, `run${run}`),
    async close() {
      await sink.stop();
      await admin.disconnect();
    },
  };
}

/** One request on fresh topics, groups and database, with a freshly started worker. */
function runOnce(world: World, users: number, label: string): Promise<Sample> {
  return withFreshWorker(world, label, { SMTP_URL: world.sink.url }, ({ worker, topics }) =>
    measure(world, worker, topics, users),
  );
}

async function measure(
  world: World,
  worker: WorkerProcess,
  topics: Record<string, string>,
  users: number,
): Promise<Sample> {
  const healthPort = worker.logs.find((l) => typeof l.healthPort === 'number')?.healthPort;
  if (typeof healthPort !== 'number') throw new Error('the worker logged no health port');
  const parts = buildParts(users);
  const before = (await world.sink.count()).accepted;
  const producer = world.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();

  let peakRssKb = 0;
  const rss = setInterval(
    () => (peakRssKb = Math.max(peakRssKb, rssKb(worker.process.pid))),
    RSS_EVERY_MS,
  );
  const delays: number[] = [];
  const scrape = setInterval(() => {
    void eventLoopP99Ms(healthPort).then((ms) => ms !== undefined && delays.push(ms));
  }, SCRAPE_EVERY_MS);
  let accepted = 0;
  const started = performance.now();
  try {
    const topic = topics[topicEnvName('VerificationRequested')] as string;
    for (const part of parts) await producer.send({ topic, messages: [part] });
    const progress = setInterval(
      () =>
        world.context.log(
          `${accepted} of ${users} mails accepted after ${Math.round((performance.now() - started) / 1000)} s, worker RSS ${Math.round(rssKb(worker.process.pid) / 1024)} MB`,
        ),
      30_000,
    );
    try {
      while (accepted < users) {
        if (performance.now() - started > world.context.timeoutMs)
          throw new Error(
            `only ${accepted} of ${users} mails accepted in ${world.context.timeoutMs / 1000} s`,
          );
        await new Promise((resolve) => setTimeout(resolve, 100));
        accepted = (await world.sink.count()).accepted - before;
      }
    } finally {
      clearInterval(progress);
    }
    const ms = performance.now() - started;
    // One last interval, so the end of the run is in the figures too.
    const last = await eventLoopP99Ms(healthPort);
    if (last !== undefined) delays.push(last);
    return {
      items: users,
      ms,
      figures: {
        peakRssMb: Math.round(peakRssKb / 1024),
        eventLoopP99Ms: Math.max(0, ...delays),
        mailsAccepted: accepted,
      },
    };
  } finally {
    clearInterval(rss);
    clearInterval(scrape);
    await producer.disconnect();
  }
}

/** The request's parts, serialized before the window opens. */
function buildParts(users: number): Message[] {
  return bulkRequestParts('bench-e2e', users, (n) => ({
    userId: `user-${n}`,
    email: `user-${n}@example.se`,
    displayName: `Användare ${n}`,
  }));
}

/** The worker's event-loop delay p99 since the previous scrape, in ms; undefined if unreadable. */
async function eventLoopP99Ms(port: number): Promise<number | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const match = /^nodejs_eventloop_lag_p99_seconds\{[^}]*\} ([\d.e+-]+)$/m.exec(text);
    return match?.[1] === undefined ? undefined : Math.round(Number(match[1]) * 1000 * 10) / 10;
  } catch {
    return undefined;
  }
}
