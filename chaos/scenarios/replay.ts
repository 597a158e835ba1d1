import { Kafka, logLevel } from 'kafkajs';
import { BULK_LANE, laneTopicOf } from '@app/contracts';
import { freePort, openPage, pressButton, tokenIn } from '../../test/support/page-client';
import { waitFor } from '../../test/support/wait-for';
import { check, type Scenario, type ScenarioResult, type Size } from '../scenario';
import { World } from '../world';

/**
 * Scenario 7: every input delivered twice, then every input topic replayed from offset 0 to
 * every consumer group: no second mail, link or completion.
 */
export const replay: Scenario = {
  name: 'replay-from-zero',
  quick: true,
  async run(size: Size, worlds: World[]): Promise<ScenarioResult> {
    const users = size === 'full' ? 5_000 : 500;
    const verifying = 20;
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const world = await World.create('replay', {
      PUBLIC_BASE_URL: base,
      PAGE_PORT: String(port),
      PAGE_RATE_LIMIT_PER_MINUTE: '100000',
    });
    worlds.push(world);
    let worker = await world.start('verification-worker');
    await world.start('verification-page');
    await world.watch('VerificationBatchCompleted', 'VismaConnectLinked', 'EmailVerified');
    await world.request('twice', users, 'chaos', 2);
    await waitFor('the completion', () => world.completionsOf('twice')[0], { timeoutMs: 600_000 });

    // Some users verify; their EmailVerified events are then delivered a second time too.
    for (const mail of world.sink.mails.slice(0, verifying)) {
      const url = `${base}/verify/${tokenIn(mail.parsed.text, base)}`;
      await pressButton(url, await openPage(url));
    }
    const linked = () => world.kafka.json(world.topic('VismaConnectLinked')).length;
    await waitFor('the links', () => linked() >= verifying || undefined, { timeoutMs: 60_000 });
    const verified = world.kafka.on(world.topic('EmailVerified'));
    await world.kafka.produce(
      world.topic('EmailVerified'),
      verified.map((m) => ({ key: m.key ?? '', value: m.value, headers: m.headers })),
    );

    const mailsBefore = world.sink.mails.length;
    worker.kill('SIGTERM');
    await worker.exited;
    world.retire(worker);
    const groups: [string, string][] = [
      [world.env.CONSUMER_GROUP!, world.topic('VerificationRequested')],
      [
        world.env.BULK_DECISIONS_CONSUMER_GROUP!,
        laneTopicOf(world.topic('VerificationRequested'), BULK_LANE),
      ],
      [world.env.MAIL_CONSUMER_GROUP!, world.topic('VerificationMailRequested')],
      [world.env.LINKER_CONSUMER_GROUP!, world.topic('EmailVerified')],
    ];
    const kafka = new Kafka({
      brokers: world.env.KAFKA_BROKERS!.split(','),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    for (const [groupId, topic] of groups)
      await admin.resetOffsets({ groupId, topic, earliest: true });
    worker = await world.start('verification-worker');
    await waitFor(
      'every group to have consumed everything again',
      async () => {
        for (const [groupId, topic] of groups) {
          const ends = await admin.fetchTopicOffsets(topic);
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
          for (const end of ends) {
            const at = committed?.partitions.find((p) => p.partition === end.partition);
            if (end.high !== '0' && at?.offset !== end.high) return undefined;
          }
        }
        return true;
      },
      { timeoutMs: 600_000, intervalMs: 1000 },
    );
    await admin.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const { total, recipients } = world.mailCounts();
    const completions = world.completionsOf('twice').length;
    const links = world.kafka.json<{ id: string }>(world.topic('VismaConnectLinked'));
    const linkIds = new Set(links.map((l) => l.id)).size;
    return {
      injected: `${users} users with every part delivered twice, ${verifying} verifications with EmailVerified delivered twice, then ${groups.length} groups reset to offset 0`,
      counted: `${total} mails for ${recipients.size} users (${total - mailsBefore} after the replay), ${completions} completion(s), ${links.length} VismaConnectLinked (${linkIds} ids)`,
      violations: [
        ...check(recipients.size === users, `${users - recipients.size} users got no mail`),
        ...check(total === users, `${total - users} mails more than users`),
        ...check(completions === 1, `${completions} completions`),
        ...check(
          links.length === verifying && linkIds === verifying,
          `${links.length} link events for ${verifying} users`,
        ),
      ],
      // Every repeat is a valid event already applied: skipped by its id, or settled again.
      deadLetters: [],
    };
  },
};
