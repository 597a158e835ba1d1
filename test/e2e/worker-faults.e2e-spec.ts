import mongoose from 'mongoose';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, serializeEvent } from '@app/contracts';
import { KafkaTestClient } from '../support/kafka-test-client';
import { SmtpSink } from '../support/smtp-sink';
import { isolatedEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

// Small enough for a quick test; big enough that the stop lands while partitions still have work.
const REQUESTS = 80;
const USERS_PER_REQUEST = 10;
const USERS = REQUESTS * USERS_PER_REQUEST;

// The verification worker as a real process, stopped in the middle of a stream of requests.
describe('verification worker stopped mid-stream (separate process, real servers)', () => {
  async function scenario(label: string, signal: 'SIGKILL' | 'SIGTERM') {
    const sink = new SmtpSink();
    await sink.start();
    const env: Record<string, string> = { ...isolatedEnv(label), SMTP_URL: sink.url };
    const kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
    const statusTopic = env.TOPIC_VERIFICATION_STATUS_CHANGED!;
    const db = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
    const states = db.collection('user_states');
    let worker: WorkerProcess | undefined;
    // The decision's announcement per user; the mail step later adds verification_sent ones.
    const decisions = () =>
      kafka
        .json<{ id: string; data: { userId: string; status: string } }>(statusTopic)
        .filter((e) => e.data.status !== 'verification_sent');
    const mailedAddresses = () => new Set(sink.mails.flatMap((m) => m.envelopeTo));
    try {
      worker = await startWorkerProcess('verification-worker', env);
      await kafka.watch([statusTopic]);
      const requests = Array.from({ length: REQUESTS }, (_, r) => {
        const tenantId = `tenant-${r % 12}`;
        const users = Array.from({ length: USERS_PER_REQUEST }, (_, u) => ({
          userId: `user-${r}-${u}`,
          email: `user-${r}-${u}@example.se`,
        }));
        return createEvent(
          'VerificationRequested',
          { requestId: `req-${r}`, tenantId, requestedBy: { userId: 'admin' }, users },
          { source: '/test' },
        );
      });
      await kafka.produce(
        env.TOPIC_VERIFICATION_REQUESTED!,
        requests.map((e) => ({
          key: e.data.tenantId,
          value: serializeEvent(e),
          headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
        })),
      );

      // Stop it once part of the work is done, while the rest is in flight.
      await waitFor(
        'some users to be stored',
        async () => (await states.countDocuments({})) >= USERS / 4,
        { intervalMs: 10 },
      );
      const storedAtStop = await states.countDocuments({});
      worker.kill(signal);
      const code = await worker.exited;
      worker = await startWorkerProcess('verification-worker', env);

      await waitFor(
        'every user to be stored',
        async () => (await states.countDocuments({})) === USERS,
        { timeoutMs: 90_000 },
      );
      await waitFor(
        'a status event for every user',
        () => new Set(decisions().map((e) => e.data.userId)).size === USERS,
        {
          timeoutMs: 90_000,
        },
      );
      // The mail step too: every user mailed once, or more when the kill fell between the SMTP
      // server's acceptance and the settlement (recognisable by the repeated Message-ID).
      await waitFor('every user mailed', () => mailedAddresses().size === USERS, {
        timeoutMs: 200_000,
      });
      // Counted in the requests' part records, where each settlement lands once.
      const sent = async () => {
        const parts = await db.collection('verification_request_parts').find({}).toArray();
        return parts.reduce((n, p) => n + (p.counts as { sent: number }).sent, 0);
      };
      await waitFor('every mail settled', async () => (await sent()) === USERS, {
        timeoutMs: 60_000,
      });
      // Events a killed process published but had not yet removed from its outbox are
      // republished (same ids) and removed by the restarted worker's sweep.
      await waitFor(
        'every outbox to be empty',
        async () =>
          (await states.countDocuments({ 'outbox.0': { $exists: true } })) +
            (await db
              .collection('verification_request_parts')
              .countDocuments({ 'outbox.0': { $exists: true } })) ===
          0,
        {
          timeoutMs: 30_000,
        },
      );
      const messages = decisions();
      const messageIds = sink.mails.map((m) => m.parsed.messageId);
      const uniqueIds = new Set(messages.map((m) => m.id)).size;
      worker.kill('SIGTERM');
      await worker.exited;
      worker = undefined;
      return {
        code,
        storedAtStop,
        messages: messages.length,
        uniqueIds,
        mails: sink.mails.length,
        distinctMails: new Set(messageIds).size,
        pendingOutbox: await states.countDocuments({ 'outbox.0': { $exists: true } }),
      };
    } finally {
      // The worker goes before its database does: it must not write into a dropped one.
      if (worker) {
        worker.kill('SIGKILL');
        await worker.exited;
      }
      await kafka.close();
      await sink.stop();
      await db.dropDatabase();
      await db.close();
    }
  }

  it('loses nothing when killed with SIGKILL mid-batch: every user stored, announced and mailed; repeats share the id', async () => {
    const result = await scenario('sigkill', 'SIGKILL');
    console.log(
      `SIGKILL: stopped at ${result.storedAtStop}/${USERS} users; ${result.messages} status messages, ${result.uniqueIds} distinct ids; ${result.mails} mails, ${result.distinctMails} distinct`,
    );
    expect(result.code).toBeNull();
    expect(result.uniqueIds).toBe(USERS);
    expect(result.distinctMails).toBe(USERS);
    // Repeats only for mails in flight at the kill: at most one mail batch (MAIL_MAX_BATCH) per
    // partition.
    expect(result.mails - USERS).toBeLessThanOrEqual(3 * 100);
    expect(result.pendingOutbox).toBe(0);
  }, 400_000);

  it('loses nothing and duplicates nothing, mails included, when stopped with SIGTERM mid-batch', async () => {
    const result = await scenario('sigterm', 'SIGTERM');
    console.log(
      `SIGTERM: stopped at ${result.storedAtStop}/${USERS} users; ${result.messages} status messages, ${result.uniqueIds} distinct ids; ${result.mails} mails`,
    );
    expect(result.code).toBe(0);
    expect(result.storedAtStop).toBeLessThan(USERS);
    expect(result.uniqueIds).toBe(USERS);
    expect(result.messages).toBe(USERS);
    expect(result.mails).toBe(USERS);
    expect(result.distinctMails).toBe(USERS);
    expect(result.pendingOutbox).toBe(0);
  }, 400_000);
});
