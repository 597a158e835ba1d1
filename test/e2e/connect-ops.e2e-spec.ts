import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, serializeEvent } from '@app/contracts';
import { ensureTopics, type PartitionLag } from '@app/messaging';
import {
  startImportWorker,
  type RunningImportWorker,
} from '../../apps/import-worker/src/bootstrap';
import {
  startVerificationWorker,
  type RunningWorker,
} from '../../apps/verification-worker/src/bootstrap';
import { fileRef, UploadFolder } from '../support/import-files';
import { KafkaTestClient } from '../support/kafka-test-client';
import { OpsProcess, runOps } from '../support/ops-process';
import { SmtpSink } from '../support/smtp-sink';
import { isolatedEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

const COMMANDS = ['status', 'request', 'import', 'tail', 'lag', 'dlq', 'resend'];
const HEADER = ['Användar-ID', 'Namn', 'E-post Visma Connect', 'Avdelning'];
const TENANT = 'ops-tenant';

// The operator's command line as a process against the running pipeline: real broker,
// database and SMTP, the workers in this process, each command as an operator types it.
describe('connect-ops (real Kafka, MongoDB and SMTP)', () => {
  const sink = new SmtpSink();
  let env: Record<string, string>;
  let kafka: KafkaTestClient;
  let verifier: RunningWorker;
  let importer: RunningImportWorker;
  let uploads: UploadFolder;
  const ops = (...args: string[]) => runOps(args, env);

  beforeAll(async () => {
    await sink.start();
    env = { ...isolatedEnv('ops'), SMTP_URL: sink.url, IMPORT_BATCH_SIZE: '100' };
    env.IMPORT_REPORT_DIR = join(env.MAIL_OUTBOX_DIR!, '..', 'reports');
    uploads = new UploadFolder(join(env.MAIL_OUTBOX_DIR!, '..', 'uploads'));
    kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
    verifier = await startVerificationWorker(env);
    importer = await startImportWorker(env);
  });
  afterAll(async () => {
    await importer?.stop();
    await verifier?.stop();
    await kafka?.close();
    await sink.stop();
  });

  async function publish(
    type: 'VerificationRequested' | 'UserImportUploaded',
    value: Buffer | string,
  ) {
    const topic =
      type === 'VerificationRequested'
        ? env.TOPIC_VERIFICATION_REQUESTED!
        : env.TOPIC_USER_IMPORT_UPLOADED!;
    await kafka.produce(topic, [
      { key: TENANT, value, headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE } },
    ]);
  }

  function request(requestId: string, users: { userId: string; email?: string }[]) {
    return createEvent(
      'VerificationRequested',
      { requestId, tenantId: TENANT, requestedBy: { userId: 'admin' }, users },
      { source: '/flex-hrm/test' },
    );
  }

  it('has --help for every command, and exits 2 with the help on a wrong invocation', async () => {
    const helps = await Promise.all(COMMANDS.map((c) => ops(c, '--help')));
    helps.forEach((help, i) => {
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`usage: connect-ops ${COMMANDS[i]}`);
    });
    const wrong = await ops('status', 'only-a-tenant');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('expected <tenantId> <userId>');
    expect((await ops('frobnicate')).stderr).toContain("unknown command 'frobnicate'");
  });

  it('request --watch follows a request of 300 users to its end; request --json has the counts', async () => {
    const requestId = `req-${randomBytes(4).toString('hex')}`;
    const watch = new OpsProcess(
      ['request', TENANT, requestId, '--watch', '--interval-ms', '150'],
      env,
    );
    await watch.stderrMatching(/waiting for the first part/);
    const users = Array.from({ length: 300 }, (_, i) => ({
      userId: `bulk-${i}`,
      ...(i % 10 === 0 ? {} : { email: `bulk.${i}@example.se` }),
    }));
    await publish('VerificationRequested', serializeEvent(request(requestId, users)));
    const watched = await watch.done;
    expect(watched.code).toBe(0);
    const bars = new Set(watched.stderr.split('\n').filter((l) => l.startsWith('[')));
    expect(bars.size).toBeGreaterThanOrEqual(2);
    expect(watched.stderr).toMatch(/\[#{30}\] 100% 300\/300 .*\(completed\)/);
    expect(watched.stdout).toMatch(/sent\s+270/);
    expect(watched.stdout).toContain('skipped   no_email 30');

    const json = JSON.parse((await ops('request', TENANT, requestId, '--json')).stdout) as {
      phase: string;
      tally: { sent: number; skipped: Record<string, number> };
    };
    expect(json).toMatchObject({
      phase: 'completed',
      tally: { sent: 270, skipped: { no_email: 30 } },
    });
    expect((await ops('request', TENANT, 'no-such-request')).code).toBe(1);
    // Request ids are the tenant's own: another tenant has no such request.
    expect((await ops('request', 'other-tenant', requestId)).code).toBe(1);
  }, 90_000);

  it('status shows a user: state, masked address, the mail and its request; never the address', async () => {
    const requestId = `req-${randomBytes(4).toString('hex')}`;
    await publish(
      'VerificationRequested',
      serializeEvent(request(requestId, [{ userId: 'anna', email: 'anna.svensson@example.se' }])),
    );
    await waitFor('the mail to anna', () =>
      sink.mails.find((m) => m.envelopeTo.includes('anna.svensson@example.se')),
    );
    const status = await waitFor('anna mailed, in connect-ops status', async () => {
      const result = await ops('status', TENANT, 'anna');
      return /mail sent/.test(result.stdout) && result;
    });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      'user anna (tenant ops-tenant): verification_sent, address a***@e***.se',
    );
    expect(status.stdout).toMatch(
      new RegExp(`mail sent to a\\*\\*\\*@e\\*\\*\\*\\.se, request ${requestId}`),
    );
    expect(status.stdout).not.toContain('anna.svensson');
    const json = JSON.parse((await ops('status', TENANT, 'anna', '--json')).stdout) as {
      user: { status: string };
      entries: { kind: string; requestId?: string; outcome?: string }[];
    };
    expect(json.user.status).toBe('verification_sent');
    expect(json.entries).toContainEqual(
      expect.objectContaining({ kind: 'mail', requestId, outcome: 'sent' }),
    );
    const unknown = await ops('status', TENANT, 'nobody');
    expect([unknown.code, unknown.stdout.trim()]).toEqual([
      1,
      `no user nobody in tenant ${TENANT}`,
    ]);
  }, 60_000);

  it('import --watch follows an import of 1,200 rows batch by batch; resend mails an imported user', async () => {
    const importId = `imp-${randomBytes(4).toString('hex')}`;
    const rows = Array.from({ length: 1200 }, (_, i) => [
      `imp-${i}`,
      `Person ${i}`,
      `person.${i}@example.se`,
      'IT',
    ]);
    rows[7] = ['imp-7', 'Fel Adress', 'inte en adress', 'IT'];
    const path = uploads.csv(`${importId}.csv`, [HEADER, ...rows], {
      delimiter: ';',
      encoding: 'utf-8',
      bom: true,
    });
    const watch = new OpsProcess(
      ['import', TENANT, importId, '--watch', '--interval-ms', '150'],
      env,
    );
    await watch.stderrMatching(/waiting for the file to be read/);
    const upload = createEvent(
      'UserImportUploaded',
      {
        importId,
        tenantId: TENANT,
        uploadedBy: { userId: 'admin' },
        template: 'employees-users',
        file: fileRef(path),
        verifyAfterImport: false,
      },
      { source: '/flex-hrm/test' },
    );
    await publish('UserImportUploaded', serializeEvent(upload));
    const watched = await watch.done;
    expect(watched.code).toBe(0);
    const bars = watched.stderr.split('\n').filter((l) => l.startsWith('['));
    expect(bars.some((l) => / \d+\/1200 /.test(l) && !l.includes('1200/1200'))).toBe(true);
    expect(watched.stdout).toContain(`import ${importId} (tenant ${TENANT}): completed`);
    expect(watched.stdout).toMatch(/updated\s+1199/);
    expect(watched.stdout).toContain('rejected  1 (invalid_email 1)');
    expect(watched.stdout).toMatch(/report\s+file:\/\//);

    // Imported without mails: the operator sends one, then again inside the cool-down.
    const sent = await ops('resend', TENANT, 'imp-3', '--by', 'ops:test');
    expect([sent.code, sent.stdout]).toEqual([0, expect.stringMatching(/: mail sent\n$/)]);
    expect(sink.mails.some((m) => m.envelopeTo.includes('person.3@example.se'))).toBe(true);
    const again = await ops('resend', TENANT, 'imp-3', '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: 'skipped:recently_sent' });
    const forced = await ops('resend', TENANT, 'imp-3', '--force');
    expect(forced.stdout).toMatch(/: mail sent\n$/);
    const noAddress = await ops('resend', TENANT, 'imp-7');
    expect([noAddress.code, noAddress.stdout]).toEqual([
      1,
      expect.stringMatching(/no mail: invalid_email|no mail: no_email/),
    ]);
  }, 120_000);

  it('tail prints the events of a topic as they arrive, filtered by tenant and user, addresses masked', async () => {
    const tail = new OpsProcess(
      [
        'tail',
        'VerificationRequested',
        '--tenant',
        TENANT,
        '--user',
        'tailed',
        '--json',
        '--limit',
        '1',
        '--timeout-ms',
        '60000',
      ],
      env,
    );
    await tail.stderrMatching(/following .* from the end/);
    const other = createEvent(
      'VerificationRequested',
      {
        requestId: 'r-other',
        tenantId: 'other-tenant',
        requestedBy: { userId: 'a' },
        users: [{ userId: 'tailed' }],
      },
      { source: '/flex-hrm/test' },
    );
    const wanted = request('r-tailed', [
      { userId: 'someone' },
      { userId: 'tailed', email: 'tailed.person@example.se' },
    ]);
    await publish('VerificationRequested', serializeEvent(other));
    await publish('VerificationRequested', serializeEvent(wanted));
    const result = await tail.done;
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { event: { id: string; data: { users: { email?: string }[] } } },
      );
    expect(lines).toHaveLength(1);
    expect(lines[0]?.event.id).toBe(wanted.id);
    expect(lines[0]?.event.data.users[1]?.email).toBe('t***@e***.se');

    const text = await ops(
      'tail',
      env.TOPIC_VERIFICATION_REQUESTED!,
      '--from-beginning',
      '--type',
      'VerificationRequested',
      '--user',
      'tailed',
      '--tenant',
      TENANT,
      '--limit',
      '1',
    );
    expect(text.stdout).toMatch(
      new RegExp(
        `VerificationRequested  ${wanted.id}  tenant=${TENANT}  users=someone,tailed  p\\d+@\\d+  .*t\\*\\*\\*@e\\*\\*\\*\\.se`,
      ),
    );
    expect(text.stdout).not.toContain('tailed.person');
  }, 90_000);

  it('dlq list, show and replay: the dead letter of a value that is not JSON, with its reason', async () => {
    await kafka.produce(env.TOPIC_VERIFICATION_REQUESTED!, [
      { key: TENANT, value: 'this is not json' },
    ]);
    const dlq = `${env.TOPIC_VERIFICATION_REQUESTED!}.dlq`;
    const prefix = env.TOPIC_VERIFICATION_REQUESTED!.split('.hrm.')[0]!;
    const listed = await waitFor('the dead letter in dlq list', async () => {
      const topics = JSON.parse(
        (await ops('dlq', 'list', '--prefix', prefix, '--json')).stdout,
      ) as { topic: string; sourceTopic: string; messages: number }[];
      return topics.find((t) => t.topic === dlq && t.messages === 1);
    });
    expect(listed.sourceTopic).toBe(env.TOPIC_VERIFICATION_REQUESTED);
    expect((await ops('dlq', 'list', '--prefix', prefix)).stdout).toMatch(
      new RegExp(`${dlq.replace(/\./g, '\\.')}\\s+1\\n`),
    );

    const shown = await ops('dlq', 'show', dlq);
    expect(shown.stdout).toMatch(
      /p\d+@0\s+\S+Z\s+not_json\s+-\s+\S+\/\d+@\d+\s+value is not valid JSON/,
    );
    expect(shown.stdout).toContain('not_json: 1');
    const [letter] = JSON.parse(
      (await ops('dlq', 'show', env.TOPIC_VERIFICATION_REQUESTED!, '--json')).stdout,
    ) as { errorCode: string; original: string }[];
    expect(letter).toMatchObject({
      errorCode: 'not_json',
      original: expect.stringContaining(env.TOPIC_VERIFICATION_REQUESTED!),
    });

    const dryRun = await ops('dlq', 'replay', env.TOPIC_VERIFICATION_REQUESTED!, '--dry-run');
    expect(dryRun.stdout).toContain(
      `would replay 1, skipped 0, scanned 1 -> ${env.TOPIC_VERIFICATION_REQUESTED}`,
    );

    // Replayed for real, the value is still not JSON: the worker sets it aside a second time.
    const replayed = await ops('dlq', 'replay', dlq, '--code', 'not_json');
    expect(replayed.stdout).toContain(`replayed 1, skipped 0, scanned 1`);
    await waitFor('the replayed letter dead-lettered again', async () => {
      const topics = JSON.parse(
        (await ops('dlq', 'list', '--prefix', prefix, '--json')).stdout,
      ) as {
        topic: string;
        messages: number;
      }[];
      return topics.some((t) => t.topic === dlq && t.messages === 2);
    });
    const again = await ops('dlq', 'replay', dlq, '--dry-run');
    expect(again.stdout).toContain('would replay 1, skipped 0, scanned 1');
  }, 90_000);

  describe('lag', () => {
    const id = `e2e.ops-${randomBytes(4).toString('hex')}`;
    const topic = `${id}.events`;
    const group = `${id}.group`;
    let admin: Admin;

    beforeAll(async () => {
      const client = new Kafka({
        brokers: env.KAFKA_BROKERS!.split(','),
        logLevel: logLevel.NOTHING,
      });
      admin = client.admin();
      await admin.connect();
      await ensureTopics(client, [topic], { partitions: 2, replicationFactor: 1 });
      await kafka.produce(
        topic,
        [0, 0, 0, 1, 1, 1, 1].map((partition, i) => ({ value: `m${i}`, partition }) as never),
      );
      // The group has read 2 of partition 0's 3 messages and nothing of partition 1.
      await admin.setOffsets({
        groupId: group,
        topic,
        partitions: [{ partition: 0, offset: '2' }],
      });
    });
    afterAll(async () => {
      await admin.deleteGroups([group]).catch(() => undefined);
      await admin.deleteTopics({ topics: [topic] });
      await admin.disconnect();
    });

    it('--json: committed offset, high watermark and messages behind per partition', async () => {
      const rows = JSON.parse((await ops('lag', '--group', id, '--json')).stdout) as PartitionLag[];
      expect(rows).toEqual([
        { group, topic, partition: 0, committed: 2, high: 3, lag: 1 },
        { group, topic, partition: 1, high: 4, lag: 4 },
      ]);
    });

    it('a table for people, with the total behind per group', async () => {
      const { stdout } = await ops('lag', '--group', id);
      expect(stdout).toMatch(
        new RegExp(
          `^${group.replace(/\./g, '\\.')}\\s+${topic.replace(/\./g, '\\.')}\\s+0\\s+2\\s+3\\s+1$`,
          'm',
        ),
      );
      expect(stdout).toContain(`${group}: 5 behind`);
    });
  });
});
