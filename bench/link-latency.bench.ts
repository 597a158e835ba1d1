/**
 * From the button to the identity service: for each of N users, the time from the POST of the
 * verification page to its VismaConnectLinked arriving on the topic. The worker and the page run
 * as their own processes on the real broker and database; the mails come from the real pipeline.
 * One user at a time, so the figure is latency, not queueing. See bench/README.md; the same
 * path at a fixed arrival rate is the `link` scenario of `npm run bench`.
 *
 *   node -r @swc-node/register bench/link-latency.bench.ts [--users 200]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { confirm, LinkServices, openForm, percentile } from './support/link-services';
import { round } from './support/measure';
import { waitUntil } from './support/process';
import { BENCH_STACK, resolveStackEnv } from './support/stack';

const RESULTS_DIR = join(__dirname, 'results');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { users: { type: 'string', default: '200' } } });
  const users = Number(values.users);
  if (!Number.isInteger(users) || users < 1) throw new Error('--users must be a positive integer');
  mkdirSync(RESULTS_DIR, { recursive: true });
  const services = await LinkServices.start({
    stack: resolveStackEnv(process.env, BENCH_STACK),
    logPath: join(RESULTS_DIR, 'link-latency-services.log'),
  });
  try {
    const userIds = await services.mailNewUsers(users, 600_000);
    console.log(`[bench] ${users} verification mails received; pressing the buttons`);
    const latencies: number[] = [];
    for (const userId of userIds) latencies.push(await pressAndWait(services, userId));
    report(users, latencies);
  } finally {
    await services.close();
  }
}

/** Opens the user's page, presses the button, and waits for the link to reach the topic. */
async function pressAndWait(services: LinkServices, userId: string): Promise<number> {
  const url = services.linkUrl(userId);
  const form = await openForm(url);
  const pressed = performance.now();
  await confirm(url, form).catch((error: Error) => {
    throw new Error(`${userId}: ${error.message}`);
  });
  await waitUntil(
    () => services.seenAt('VismaConnectLinked', userId) !== undefined,
    60_000,
    `VismaConnectLinked for ${userId}`,
    5,
  );
  return (services.seenAt('VismaConnectLinked', userId) as number) - pressed;
}

function report(users: number, latencies: number[]): void {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => round(percentile(sorted, q));
  const result = {
    users,
    medianMs: at(0.5),
    p90Ms: at(0.9),
    p99Ms: at(0.99),
    maxMs: at(1),
    minMs: at(0),
    measuredAt: new Date().toISOString(),
  };
  writeFileSync(join(RESULTS_DIR, 'link-latency.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `[bench] POST to VismaConnectLinked on the topic, ${users} users one at a time: ` +
      `median ${result.medianMs} ms, p90 ${result.p90Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
