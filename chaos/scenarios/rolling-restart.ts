import { waitFor } from '../../test/support/wait-for';
import { check, sleep, type Scenario, type ScenarioResult, type Size } from '../scenario';
import { World } from '../world';

/**
 * Scenario 3: three instances of the verification worker in the same consumer groups, each
 * restarted in turn (SIGTERM, then a new one) while a bulk request is handled. Partitions move
 * between instances at every restart; nothing is lost and nothing is sent twice.
 */
export const rollingRestart: Scenario = {
  name: 'rolling-restart',
  quick: true,
  async run(size: Size, worlds: World[]): Promise<ScenarioResult> {
    const users = size === 'full' ? 20_000 : 2_000;
    const world = await World.create('rolling', { KAFKA_TOPIC_PARTITIONS: '6' });
    worlds.push(world);
    const instances = [];
    for (let i = 0; i < 3; i++) instances.push(await world.start('verification-worker'));
    await world.watch('VerificationBatchCompleted');
    await world.request('rolling', users);
    const restartedAt: number[] = [];
    for (let i = 0; i < instances.length; i++) {
      const target = Math.floor((users * (i + 1)) / 10);
      await waitFor('mails to flow', () => world.sink.mails.length >= target || undefined, {
        timeoutMs: 600_000,
      });
      const old = instances[i];
      if (!old) continue;
      old.kill('SIGTERM');
      await old.exited;
      world.retire(old);
      restartedAt.push(world.sink.mails.length);
      instances[i] = await world.start('verification-worker');
    }
    await waitFor('the completion', () => world.completionsOf('rolling')[0], {
      timeoutMs: size === 'full' ? 1_800_000 : 300_000,
    });
    await sleep(3000);
    const { total, recipients } = world.mailCounts();
    const completions = world.completionsOf('rolling');
    const joins = world.processes
      .flatMap((p) => p.process.logs)
      .concat(world.logLines)
      .filter((l) => l.msg === 'joined the consumer group').length;
    return {
      injected: `3 instances, each restarted in turn (SIGTERM) at ${restartedAt.join(', ')} mails, ${users} users, 6 partitions`,
      counted: `${recipients.size}/${users} users mailed, ${total - recipients.size} duplicates, ${completions.length} completion(s), ${joins} group joins (rebalances)`,
      violations: [
        ...check(recipients.size === users, `${users - recipients.size} users got no mail`),
        ...check(total === users, `${total - users} duplicate mails`),
        ...check(
          completions.length === 1 && completions[0]?.sent === users,
          `completions: ${JSON.stringify(completions)}`,
        ),
        ...check(joins > 9, `only ${joins} group joins: the restarts did not move partitions`),
      ],
      // Moving partitions only redelivers uncommitted work, which is skipped or settled again.
      deadLetters: [],
    };
  },
};
