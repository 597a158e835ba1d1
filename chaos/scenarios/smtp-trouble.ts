import { waitFor } from '../../test/support/wait-for';
import { check, type Scenario, type ScenarioResult, type Size } from '../scenario';
import { World } from '../world';

/**
 * Scenario 5: an SMTP server that answers 421 ("try later") to everything for a while, then
 * stalls messages past the consumer's session timeout, then drops connections after DATA.
 * Retries are bounded, nothing is redelivered forever, every user is mailed once, and the
 * consumer groups stay stable.
 */
export const smtpTrouble: Scenario = {
  name: 'smtp-misbehaving',
  quick: true,
  async run(size: Size, worlds: World[]): Promise<ScenarioResult> {
    const users = size === 'full' ? 2_000 : 300;
    const world = await World.create('smtp', {
      // Outlasts the 421 burst: 4 attempts spread over about 7 s.
      RETRY_DELAYS_MS: '1000,2000,4000',
      CONSUMER_SESSION_TIMEOUT_MS: '10000',
    });
    worlds.push(world);
    const worker = await world.start('verification-worker');
    await world.watch('VerificationBatchCompleted');
    const burstMs = 3000;
    const stallMs = 15_000;
    let burstUntil = 0;
    let stalled = 0;
    let refused = 0;
    world.sink.respond = () => {
      if (Date.now() >= burstUntil) return undefined;
      refused++;
      return { code: 421, message: 'Service not available, try again later' };
    };
    world.sink.stallMs = () => (stalled++ < 3 ? stallMs : 0);
    // Then three messages are read and the connection dropped before the answer.
    let dropped = 0;
    world.sink.dropAfterData = () => stalled > 3 && dropped++ < 3;
    // The decision, mail and linker consumers have each joined their group, and no start-up
    // rebalance is still under way: only joins after this point are counted as rejoins.
    await waitFor('the three consumer groups joined', () => joins(worker.logs) >= 3);
    const joinsBefore = await settledJoins(worker.logs);
    burstUntil = Date.now() + burstMs;
    await world.request('smtp', users);
    await waitFor('the completion', () => world.completionsOf('smtp')[0], { timeoutMs: 300_000 });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const { total, recipients } = world.mailCounts();
    const completion = world.completionsOf('smtp');
    const rejoins = joins(worker.logs) - joinsBefore;
    return {
      injected: `421 to every recipient for ${burstMs / 1000} s (${refused} refusals), then 3 messages stalled ${stallMs / 1000} s (session timeout 10 s), then ${Math.min(dropped, 3)} connections dropped after DATA, ${users} users`,
      counted: `${recipients.size}/${users} users mailed, ${total - recipients.size} duplicates, completion sent ${String(completion[0]?.sent)} failed ${String(completion[0]?.failed)}, ${rejoins} consumer-group rejoins`,
      violations: [
        ...check(recipients.size === users, `${users - recipients.size} users got no mail`),
        ...check(total === users, `${total - users} duplicate mails`),
        ...check(
          completion.length === 1 && completion[0]?.sent === users,
          `completion: ${JSON.stringify(completion)}`,
        ),
        ...check(
          rejoins === 0,
          `${rejoins} rejoins: a stalled SMTP server cost the group its members (${rejoinedGroups(worker.logs, joinsBefore)})`,
        ),
      ],
      // The mail step never hands an SMTP failure to the dead-letter topic: a 4xx or a lost
      // connection is retried, and on the last attempt the user is settled `failed` (reason
      // retries_exhausted); a 5xx is settled `failed` at once (send-verification-mails.ts).
      deadLetters: [],
    };
  },
};

/** The messaging layer logs every group join; more than at start means a rebalance happened. */
/** The join count once it has not changed for 3 s (a loaded machine starts groups slowly). */
async function settledJoins(logs: Record<string, unknown>[]): Promise<number> {
  let count = joins(logs);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    if (joins(logs) === count) return count;
    count = joins(logs);
  }
}

/** Which groups joined after the first `before` joins, and when: evidence for a failure. */
function rejoinedGroups(logs: Record<string, unknown>[], before: number): string {
  return logs
    .filter((l) => l.msg === 'joined the consumer group')
    .slice(before)
    .map((l) => `${String(l.groupId)} at ${String(l.time)}`)
    .join(', ');
}

function joins(logs: Record<string, unknown>[]): number {
  return logs.filter((l) => l.msg === 'joined the consumer group').length;
}
