import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { ensureTopics, type PartitionLag } from '@app/messaging';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');

// The operator's command line against the real broker, as a process, as an operator runs it.
describe('connect-ops (real Kafka)', () => {
  const id = `e2e.ops-${randomBytes(4).toString('hex')}`;
  const topic = `${id}.events`;
  const group = `${id}.group`;
  const brokers = process.env.KAFKA_BROKERS!;
  let admin: Admin;

  beforeAll(async () => {
    const kafka = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(kafka, [topic], { partitions: 2, replicationFactor: 1 });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [0, 0, 0, 1, 1, 1, 1].map((partition, i) => ({ partition, value: `m${i}` })),
    });
    await producer.disconnect();
    // The group has read 2 of partition 0's 3 messages and nothing of partition 1.
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '2' }] });
  });
  afterAll(async () => {
    await admin.deleteGroups([group]).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  const ops = (...args: string[]) =>
    run(process.execPath, ['-r', '@swc-node/register', 'tools/connect-ops.ts', ...args], {
      cwd: root,
      env: { ...process.env, KAFKA_BROKERS: brokers },
    });

  it('lag --json: committed offset, high watermark and messages behind per partition', async () => {
    const { stdout } = await ops('lag', '--group', id, '--json');
    const rows = JSON.parse(stdout) as PartitionLag[];
    expect(rows).toEqual([
      { group, topic, partition: 0, committed: 2, high: 3, lag: 1 },
      { group, topic, partition: 1, high: 4, lag: 4 },
    ]);
  });

  it('lag: a table for people, with the total behind per group', async () => {
    const { stdout } = await ops('lag', '--group', id);
    expect(stdout).toMatch(
      new RegExp(
        `^${group.replace(/\./g, '\\.')}\\s+${topic.replace(/\./g, '\\.')}\\s+0\\s+2\\s+3\\s+1$`,
        'm',
      ),
    );
    expect(stdout).toContain(`${group}: 5 behind`);
  });

  it('says what is wrong with an unknown command, and exits 2', async () => {
    await expect(ops('frobnicate')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("unknown command 'frobnicate'"),
    });
  });
});
