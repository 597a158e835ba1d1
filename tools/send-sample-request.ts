/**
 * Sends one VerificationRequested to the running pipeline and prints the
 * VerificationStatusChanged events it answers with, until its VerificationBatchCompleted.
 *
 *   npm run send:sample                              two sample users of tenant "demo"
 *   npm run send:sample -- --tenant acme --user u1=anna@example.se --user u2
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { parseArgs } from 'node:util';
import { createEvent, parseEventOf } from '@app/contracts';
import { createProducer, EventPublisher, topicMapFrom } from '@app/messaging';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string', default: 'demo' },
      user: { type: 'string', multiple: true },
      'timeout-ms': { type: 'string', default: '30000' },
    },
  });
  const users = (values.user ?? ['demo-user-1=anna.svensson@example.se', 'demo-user-2']).map(
    (spec) => {
      const [userId = '', email] = spec.split('=');
      return email ? { userId, email } : { userId };
    },
  );
  const topics = topicMapFrom(process.env);
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const kafka = new Kafka({ clientId: 'send-sample', brokers, logLevel: logLevel.ERROR });

  const requestId = randomUUID();
  const event = createEvent(
    'VerificationRequested',
    { requestId, tenantId: values.tenant, requestedBy: { userId: 'sample-admin' }, users },
    { source: '/connect-provisioning/tools/send-sample' },
  );

  const consumer = kafka.consumer({ groupId: `send-sample-${requestId}` });
  await consumer.connect();
  await consumer.subscribe({
    topics: [topics.VerificationStatusChanged, topics.VerificationBatchCompleted],
    fromBeginning: false,
  });
  const seen = new Set<string>();
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === topics.VerificationBatchCompleted) {
          const parsed = parseEventOf(message.value, 'VerificationBatchCompleted');
          if (!parsed.ok || parsed.event.data.requestId !== requestId) return;
          const { requested, sent, failed, skipped } = parsed.event.data;
          const skips = Object.entries(skipped).filter(([, n]) => n > 0);
          console.log(
            `VerificationBatchCompleted: ${requested} requested, ${sent} sent, ${failed} failed` +
              (skips.length ? `, skipped ${skips.map(([r, n]) => `${r} ${n}`).join(', ')}` : ''),
          );
          resolve();
          return;
        }
        const parsed = parseEventOf(message.value, 'VerificationStatusChanged');
        if (!parsed.ok || parsed.event.data.requestId !== requestId) return;
        const { userId, status, email } = parsed.event.data;
        console.log(`  ${userId.padEnd(16)} ${status.padEnd(18)} ${email ?? '-'}`);
        seen.add(userId);
      },
    });
  });
  await new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));

  const producer = createProducer(kafka);
  await producer.connect();
  await new EventPublisher(producer, topics).publish([event]);
  console.log(
    `sent VerificationRequested ${event.id} (request ${requestId}, ${users.length} users) to ${topics.VerificationRequested}`,
  );
  console.log(`VerificationStatusChanged on ${topics.VerificationStatusChanged}:`);

  const timeoutMs = Number(values['timeout-ms']);
  const timer = new Promise<'timeout'>((resolve) =>
    setTimeout(() => resolve('timeout'), timeoutMs).unref(),
  );
  const outcome = await Promise.race([done.then(() => 'done' as const), timer]);
  await producer.disconnect();
  await consumer.disconnect();
  if (outcome === 'timeout') {
    console.log(
      `(no completion within ${timeoutMs} ms, ${seen.size} of ${users.length} users changed; is the worker running? npm start)`,
    );
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
