import { waitFor } from '../../test/support/wait-for';
import { check, sleep, type Scenario, type ScenarioResult, type Size } from '../scenario';
import { World } from '../world';

// A killed worker repeats only the mails that were on the wire: one per SMTP connection
// (SMTP_MAX_CONNECTIONS, default 5), whose claim had no answer on record yet.
const SMTP_CONNECTIONS = 5;
// The restarted worker sends a dead one's unanswered mails once their claim runs out.
const SMTP_TIMEOUT_MS = 5_000;

/** Scenarios 1 and 2: the verification worker killed during a bulk request, and restarted. */
export function workerKills(signal: 'SIGKILL' | 'SIGTERM'): Scenario {
  return {
    name: `worker-${signal.toLowerCase()}`,
    quick: true,
    async run(size: Size, worlds: World[]): Promise<ScenarioResult> {
      const users = size === 'full' ? 10_000 : 2_000;
      const kills = size === 'full' ? 5 : 2;
      const world = await World.create(signal.toLowerCase(), {
        SMTP_MAX_CONNECTIONS: String(SMTP_CONNECTIONS),
        SMTP_TIMEOUT_MS: String(SMTP_TIMEOUT_MS),
      });
      worlds.push(world);
      // The worker creates the topics, so it starts before anything watches them.
      let worker = await world.start('verification-worker');
      await world.watch('VerificationBatchCompleted');
      await world.request('bulk', users);
      const killedAt: number[] = [];
      for (let k = 0; k < kills; k++) {
        // Random moments while the work is under way: after 10-60 % of the mails.
        // and always after the restarted worker mailed again, so every kill meets mails in flight.
        const target = Math.max(
          Math.floor(users * (0.1 + 0.5 * Math.random()) * ((k + 1) / kills)),
          (killedAt.at(-1) ?? 0) + Math.ceil(users / 50),
        );
        await waitFor('mails to flow', () => world.sink.mails.length >= target || undefined, {
          timeoutMs: 600_000,
        });
        worker.kill(signal);
        await worker.exited;
        killedAt.push(world.sink.mails.length);
        world.retire(worker);
        await sleep(500);
        worker = await world.start('verification-worker');
      }
      await waitFor('the completion', () => world.completionsOf('bulk')[0], {
        timeoutMs: size === 'full' ? 1_800_000 : 300_000,
      });
      await sleep(3000); // a late duplicate or second completion would show up by now
      const { total, recipients, messageIds } = world.mailCounts();
      const duplicates = total - recipients.size;
      const perKill = duplicatesPerKill(world.sink.mails, killedAt);
      const completions = world.completionsOf('bulk');
      const perKillBound = signal === 'SIGKILL' ? SMTP_CONNECTIONS : 0;
      const bound = kills * perKillBound;
      return {
        injected: `${kills}× ${signal} of the worker at ${killedAt.join(', ')} mails, ${users} users`,
        counted: `${users} mails expected, ${total} delivered to ${recipients.size} users, ${duplicates} duplicates (per kill: ${perKill.join(', ')}; bound ${perKillBound} per kill, ${bound} in all), 0 lost: ${String(recipients.size === users)}, ${completions.length} completion(s), sent ${String(completions[0]?.sent)}`,
        violations: [
          ...check(recipients.size === users, `${users - recipients.size} users got no mail`),
          ...check(duplicates <= bound, `${duplicates} duplicates exceed the bound ${bound}`),
          ...perKill.flatMap((n, k) =>
            check(n <= perKillBound, `kill ${k + 1} repeated ${n} mails (bound ${perKillBound})`),
          ),
          // A duplicate repeats its first copy's Message-ID, so a mail system can recognise it.
          ...check(messageIds.size === users, `${messageIds.size} Message-IDs for ${users} users`),
          ...check(completions.length === 1, `${completions.length} completions`),
          ...check(
            completions[0]?.sent === users,
            `completion says sent ${String(completions[0]?.sent)}`,
          ),
        ],
        // A killed worker's chunk is delivered again and skips what was applied or settled;
        // nothing about a crash makes a message unhandleable.
        deadLetters: [],
      };
    },
  };
}

/**
 * Each repeated mail charged to the kill nearest its first delivery: a kill repeats the mails the
 * server accepted just before it, whose answers were not stored yet. Kills are apart by at least
 * 2% of the mails, so the nearest one is the one that caught it.
 */
export function duplicatesPerKill(
  mails: readonly { envelopeTo: readonly string[] }[],
  killedAt: readonly number[],
): number[] {
  const perKill = killedAt.map(() => 0);
  const firstAt = new Map<string, number>();
  mails.forEach((mail, i) => {
    for (const to of mail.envelopeTo) {
      const first = firstAt.get(to);
      if (first === undefined) {
        firstAt.set(to, i);
        continue;
      }
      const nearest = killedAt.reduce(
        (best, at, k) =>
          Math.abs(at - first) < Math.abs((killedAt[best] ?? 0) - first) ? k : best,
        0,
      );
      perKill[nearest] = (perKill[nearest] ?? 0) + 1;
    }
  });
  return perKill;
}
