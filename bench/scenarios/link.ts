/**
 * link: from the POST on the verification page to VismaConnectLinked on the topic, at a fixed
 * open-loop arrival rate of 50 verifications/s. No baseline (the issue names none).
 *
 * The worker and the page run as their own processes on the local stack (LinkServices). Before
 * any window, one VerificationRequested goes through the real pipeline to a loopback SMTP server
 * that keeps each mail's token, enough for the warm-up and every run, so each window presses
 * buttons of fresh, unused links.
 *
 * A window gives verification i the slot firstSlot + i/50 s and starts it on schedule whether or
 * not the earlier ones finished (open loop). It GETs the page READ_MS before its slot and takes
 * the CSRF cookie and field, then POSTs at the slot. Its latency runs from the slot, not from
 * when the POST actually left, so a late GET, a slow client or a queue on the page counts against
 * the product instead of hiding (no coordinated omission). It ends when the benchmark's own
 * consumer sees that user's VismaConnectLinked.
 *
 * Why the GET is before the slot: every /verify answer, the successful ones included, waits for
 * PAGE_MIN_RESPONSE_MS (300 ms by default) so that timing tells nothing about a token. A GET
 * inside the latency would add that floor to every figure. The issue measures from the POST, as
 * bench/link-latency.bench.ts does. The POST's own answer also waits for the floor, but the page
 * publishes EmailVerified before that wait, so the floor is not in the latency.
 */
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  confirm,
  LinkServices,
  openForm,
  percentile,
  WATCHED,
  type Watched,
} from '../support/link-services';
import { round } from '../support/measure';
import { waitUntil } from '../support/process';
import type { Sample, Scenario, ScenarioContext, ScenarioRunner } from '../support/scenario';

const RATE_PER_SEC = 50;
/** Seconds of arrivals per window at scale 1 (the size). */
const WINDOW_SECONDS = 20;
const MIN_VERIFICATIONS = 50;
const WARM_UP_VERIFICATIONS = 50;
/** Product windows the orchestrator runs; links for more are mailed when needed. */
const PLANNED_RUNS = 5;
/**
 * How long before its POST a verification opens the page: a person reads it before pressing.
 * Above the page's 300 ms floor with room for a loaded page; a GET that takes longer delays its
 * POST past the slot, and that delay counts in the latency.
 */
const READ_MS = 1_000;
/** The first page opens this long after the window is set up, so set-up is in no slot. */
const LEAD_IN_MS = 100;

export const linkScenario: Scenario = {
  name: 'link',
  product: 'POST on the verification page to VismaConnectLinked on the topic, 50/s open loop',
  baseline: '-',
  unit: 'verifications',
  open: openLinkScenario,
};

async function openLinkScenario(context: ScenarioContext): Promise<ScenarioRunner> {
  const items = Math.max(
    MIN_VERIFICATIONS,
    Math.round(WINDOW_SECONDS * RATE_PER_SEC * context.scale),
  );
  const services = await LinkServices.start({
    stack: context.stack,
    logPath: join(context.resultsDir, 'services.log'),
  });
  const links = new LinkPool(services, context);
  try {
    await links.mail(WARM_UP_VERIFICATIONS + PLANNED_RUNS * items);
  } catch (error) {
    await services.close();
    throw error;
  }
  return {
    items,
    warmUp: async () => {
      await openLoop(services, await links.take(WARM_UP_VERIFICATIONS), context.timeoutMs);
    },
    product: async (run) => {
      const window = await openLoop(services, await links.take(items), context.timeoutMs);
      const sample = sampleOf(window);
      const f = sample.figures ?? {};
      context.log(
        `link run ${run}: ${items} verifications, POSTs at ${f.achievedPerSec}/s: p50 ${f.p50Ms}, ` +
          `p90 ${f.p90Ms}, p99 ${f.p99Ms}, max ${f.maxMs} ms (${split(window)})`,
      );
      return sample;
    },
    close: () => services.close(),
  };
}

/** Users whose link was mailed and not yet pressed. */
class LinkPool {
  private readonly unused: string[] = [];

  constructor(
    private readonly services: LinkServices,
    private readonly context: ScenarioContext,
  ) {}

  async mail(count: number): Promise<void> {
    const started = performance.now();
    this.unused.push(...(await this.services.mailNewUsers(count, this.context.timeoutMs)));
    this.context.log(
      `link: ${count} verification mails through the pipeline in ${Math.round(performance.now() - started)} ms`,
    );
  }

  /** Outside any window: mails more links first if a run beyond the planned ones needs them. */
  async take(count: number): Promise<string[]> {
    if (this.unused.length < count) await this.mail(count - this.unused.length);
    return this.unused.splice(0, count);
  }
}

interface Window {
  /** Scheduled POST times, `performance.now()`, one per verification. */
  slots: number[];
  /** When each POST actually left. */
  posted: number[];
  /** When the benchmark's consumer saw each EmailVerified (the page's publication). */
  verified: number[];
  /** When the benchmark's consumer saw each VismaConnectLinked. */
  linked: number[];
  maxPostLagMs: number;
  /** p99 of the benchmark process's own event-loop delay: a busy client makes everything late. */
  clientLoopDelayP99Ms: number;
  /** CPU each service used over the window, in % of one core: 100 means it was CPU-bound. */
  workerCpuPct: number;
  pageCpuPct: number;
}

/** Presses every link on its slot, 1/RATE_PER_SEC apart; resolves when every user is linked. */
async function openLoop(
  services: LinkServices,
  userIds: string[],
  timeoutMs: number,
): Promise<Window> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpuBefore = services.cpuMs();
  const began = performance.now();
  try {
    const firstSlot = performance.now() + READ_MS + LEAD_IN_MS;
    const slots = userIds.map((_, i) => firstSlot + (i * 1000) / RATE_PER_SEC);
    // All started now, each waiting for its own time: none waits for another.
    const runs = userIds.map((userId, i) => verifyAt(services.linkUrl(userId), slots[i] as number));
    const posted = await allOrFirstError(runs, timeoutMs);
    const seen = (type: Watched) => userIds.map((userId) => services.seenAt(type, userId));
    await waitUntil(
      () => WATCHED.every((type) => seen(type).every((at) => at !== undefined)),
      timeoutMs,
      `EmailVerified and VismaConnectLinked of ${userIds.length} users`,
      10,
    );
    const cpuAfter = services.cpuMs();
    const cpuPct = (app: keyof typeof cpuAfter) =>
      round((100 * (cpuAfter[app] - cpuBefore[app])) / (performance.now() - began));
    return {
      workerCpuPct: cpuPct('verification-worker'),
      pageCpuPct: cpuPct('verification-page'),
      slots,
      posted,
      verified: seen('EmailVerified') as number[],
      linked: seen('VismaConnectLinked') as number[],
      maxPostLagMs: Math.max(...posted.map((at, i) => at - (slots[i] as number))),
      clientLoopDelayP99Ms: loop.percentile(99) / 1e6,
    };
  } finally {
    loop.disable();
  }
}

/** One person: opens the page READ_MS before the slot, presses at the slot. Returns the POST time. */
async function verifyAt(url: string, slot: number): Promise<number> {
  await sleepUntil(slot - READ_MS);
  const form = await openForm(url);
  await sleepUntil(slot);
  const postedAt = performance.now();
  await confirm(url, form);
  return postedAt;
}

async function sleepUntil(at: number): Promise<void> {
  const wait = at - performance.now();
  if (wait > 0) await sleep(wait);
}

/** Waits for every verification to settle, then fails with the first error if any failed. */
async function allOrFirstError(runs: Promise<number>[], timeoutMs: number): Promise<number[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`link: the verifications took over ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const settled = await Promise.race([Promise.allSettled(runs), timeout]);
    const failed = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0)
      throw new Error(
        `link: ${failed.length} of ${runs.length} verifications failed; the first: ${String(failed[0]?.reason)}`,
      );
    return settled.map((r) => (r as PromiseFulfilledResult<number>).value);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * items: verifications; ms: from the first slot to the last VismaConnectLinked seen.
 * achievedPerSec is the rate at which the POSTs actually left: near 50 means the open loop held
 * its schedule, so the percentiles are at the rate.
 */
function sampleOf(window: Window): Sample {
  const n = window.slots.length;
  const first = window.slots[0] as number;
  const postSpan = Math.max(...window.posted) - Math.min(...window.posted);
  return {
    items: n,
    ms: round(Math.max(...window.linked) - first, 1),
    figures: {
      ...spread(window.linked.map((at, i) => at - (window.slots[i] as number))),
      achievedPerSec: round(n > 1 && postSpan > 0 ? ((n - 1) * 1000) / postSpan : RATE_PER_SEC, 1),
    },
  };
}

/** Where the time went, for the log: the page's part and the linker's part of each latency. */
function split(window: Window): string {
  const page = spread(window.verified.map((at, i) => at - (window.slots[i] as number)));
  const linker = spread(window.linked.map((at, i) => at - (window.verified[i] as number)));
  return (
    `slot to EmailVerified p50 ${page.p50Ms} / p99 ${page.p99Ms} ms, ` +
    `EmailVerified to VismaConnectLinked p50 ${linker.p50Ms} / p99 ${linker.p99Ms} ms; ` +
    `latest POST ${round(window.maxPostLagMs, 1)} ms after its slot, ` +
    `bench event-loop delay p99 ${round(window.clientLoopDelayP99Ms, 1)} ms, ` +
    `CPU worker ${window.workerCpuPct}% / page ${window.pageCpuPct}% of a core`
  );
}

function spread(latencies: number[]): {
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
} {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => round(percentile(sorted, q), 1);
  return { p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), maxMs: at(1) };
}
