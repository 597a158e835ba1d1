import { join } from 'node:path';
import { Partitioners, type Producer } from 'kafkajs';
import mongoose from 'mongoose';
import pino from 'pino';
import type { UserImportUploadedData, VerificationRequestedData } from '@app/contracts';
import { ImportSheetFiles } from '@app/import-files';
import {
  createKafka,
  ensureTopics,
  EventPublisher,
  type OutboxBatch,
  OutboxRelay,
  topicMapFrom,
} from '@app/messaging';
import {
  EmailVerifiedLogRepository,
  RequestProgressRepository,
  UserImportRepository,
  UserStateRepository,
} from '@app/persistence';
import { RunUserImport } from '@app/user-import';
import { LinkVismaConnect, RecordVerificationRequest, type UserState } from '@app/verification';
import { fileRef, UploadFolder } from '../support/import-files';
import { KafkaTestClient } from '../support/kafka-test-client';
import { isolatedEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

const HEADER = ['Användar-ID', 'Namn', 'E-post Visma Connect'];

/**
 * What the database must guarantee without transactions, on the real server: several
 * processes at once (each with a connection of its own) change one user, one import or one
 * request, and every fact lands once; another tenant's records with the same ids stay apart.
 */
describe('database guarantees under concurrency (real MongoDB and Kafka)', () => {
  const env = isolatedEnv('guarantees');
  const topics = topicMapFrom(env);
  const logger = pino({ level: 'silent' });
  const kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
  const connections: mongoose.Connection[] = [];
  let db: mongoose.Connection;
  let producer: Producer;
  let uploads: UploadFolder;

  const connect = async () => {
    const connection = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
    connections.push(connection);
    return connection;
  };

  beforeAll(async () => {
    const client = createKafka({ brokers: env.KAFKA_BROKERS!.split(','), clientId: 'g', logger });
    await ensureTopics(client, [topics.VismaConnectLinked, topics.VerificationStatusChanged], {
      partitions: 1,
      replicationFactor: 1,
    });
    producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    db = await connect();
    await Promise.all([
      new UserStateRepository(db).init(),
      new EmailVerifiedLogRepository(db).init(),
      new UserImportRepository(db).init(),
      new RequestProgressRepository(db).init(),
    ]);
    uploads = new UploadFolder(join(env.MAIL_OUTBOX_DIR!, '..', 'uploads'));
    await kafka.watch([topics.VismaConnectLinked]);
  });
  afterAll(async () => {
    await producer?.disconnect();
    await kafka.close();
    await db?.dropDatabase();
    for (const connection of connections) await connection.close();
  });

  const seed = (states: UserState[]) =>
    new UserStateRepository(db).saveMany(states.map((state) => ({ state, events: [] })));
  const stateOf = async (tenantId: string, userId: string) =>
    (await new UserStateRepository(db).findByUserIds(tenantId, [userId]))[0];

  it('R3: links a user once when ten EmailVerified for it are handled at the same moment', async () => {
    await seed([{ tenantId: 't', userId: 'anna', email: 'anna@example.se', status: 'unverified' }]);
    const verified = {
      tenantId: 't',
      userId: 'anna',
      email: 'anna@example.se',
      verifiedAt: new Date().toISOString(),
      method: 'visma-connect' as const,
    };
    // Ten linkers, as ten processes would be: each its own connection, repositories and relay.
    const linkers = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const connection = await connect();
        const states = new UserStateRepository(connection);
        const relay = new OutboxRelay(
          new EventPublisher(producer, topics),
          [states.outbox],
          { sweepIntervalMs: 60_000, graceMs: 0 },
          logger,
        );
        return {
          relay,
          sut: new LinkVismaConnect(states, new EmailVerifiedLogRepository(connection)),
        };
      }),
    );
    const results = await Promise.all(
      linkers.map(({ sut }, i) =>
        sut.execute(verified, { eventId: `verified-${i}`, source: '/test', at: new Date() }),
      ),
    );
    expect(results.filter((r) => r.outcome === 'linked')).toHaveLength(1);
    expect(
      results.filter((r) => r.outcome === 'already_linked' || r.outcome === 'stale'),
    ).toHaveLength(9);
    await Promise.all(
      results.map(async (r, i) => {
        if (r.published) await linkers[i]!.relay.flush(r.published);
      }),
    );
    await waitFor('VismaConnectLinked for anna', () => linked('anna').length > 0 || undefined);
    // A marker published after the flushes: once it arrives, nothing else is on its way.
    await seed([{ tenantId: 't', userId: 'marker', email: 'm@example.se', status: 'unverified' }]);
    const marker = await linkers[0]!.sut.execute(
      { ...verified, userId: 'marker', email: 'm@example.se' },
      { eventId: 'marker', source: '/test', at: new Date() },
    );
    await linkers[0]!.relay.flush(marker.published!);
    await waitFor('the marker', () => linked('marker').length > 0 || undefined);
    expect(linked('anna')).toHaveLength(1);
    expect(await stateOf('t', 'anna')).toMatchObject({ status: 'linked', version: 2 });
  });

  it('R7: applies each row once when two import workers run the same import at once', async () => {
    const users = Array.from({ length: 40 }, (_, i) => `imp-${i}`);
    await seed(users.map((userId) => ({ tenantId: 't', userId, email: null, status: 'no_email' })));
    const path = uploads.csv('both.csv', [HEADER, ...users.map((u) => [u, u, `${u}@example.se`])], {
      delimiter: ';',
      encoding: 'utf-8',
      bom: true,
    });
    const upload = importOf('t', 'imp-shared', path);
    const workers = await Promise.all([importer(5), importer(7)]);
    const results = await Promise.all(
      workers.map((w, i) =>
        w.execute(upload, { eventId: `upload-${i}`, source: '/t', at: new Date() }),
      ),
    );
    // One of them completes the import; the other finds it done, or completes nothing new.
    const completions = results.filter((r) => r.kind === 'completed' && r.completion);
    expect(completions).toHaveLength(1);
    for (const userId of users)
      // Version 1: seeded; version 2: the one address write. A second write would make it 3.
      expect(await stateOf('t', userId)).toMatchObject({
        email: `${userId}@example.se`,
        version: 2,
      });
    const record = await new UserImportRepository(db).find('t', 'imp-shared');
    expect(record?.result).toMatchObject({ status: 'completed', rows: 40, updated: 40 });
  });

  it("touches nothing of tenant A's when tenant B reuses A's import id after A's import crashed", async () => {
    const ids = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
    for (const tenantId of ['a', 'b'])
      await seed(ids.map((userId) => ({ tenantId, userId, email: null, status: 'no_email' })));
    const fileOf = (tenant: string) =>
      uploads.csv(
        `${tenant}.csv`,
        [HEADER, ...ids.map((u) => [u, u, `${u}.${tenant}@example.se`])],
        { delimiter: ';', encoding: 'utf-8', bom: true },
      );
    const crashing = await importer(2, { crashAfterSaves: 1 });
    await expect(
      crashing.execute(importOf('a', 'imp-1', fileOf('a')), cause('a-1')),
    ).rejects.toThrow('crashed');
    const aBefore = await new UserImportRepository(db).find('a', 'imp-1');
    // Two batches recorded (a batch is recorded, then applied): the second one died applying.
    expect(aBefore).toMatchObject({ counts: { updated: 4 }, batches: [0, 1], completedAt: null });

    const b = await (await importer(2)).execute(importOf('b', 'imp-1', fileOf('b')), cause('b-1'));
    expect(b).toMatchObject({ kind: 'completed', counts: { updated: 6 } });
    for (const userId of ids) {
      expect((await stateOf('b', userId))?.email).toBe(`${userId}.b@example.se`);
      const a = await stateOf('a', userId);
      expect([null, `${userId}.a@example.se`]).toContain(a?.email ?? null);
    }
    expect(await new UserImportRepository(db).find('a', 'imp-1')).toEqual(aBefore);

    // A's redelivery resumes its own import: the rows it applied are not applied again.
    const a = await (await importer(2)).execute(importOf('a', 'imp-1', fileOf('a')), cause('a-2'));
    expect(a).toMatchObject({ kind: 'completed', counts: { updated: 6 } });
    for (const userId of ids)
      expect(await stateOf('a', userId)).toMatchObject({
        email: `${userId}.a@example.se`,
        version: 2,
      });
  });

  it('turns away another file under an import id the tenant is already using', async () => {
    const path = uploads.csv('first.csv', [HEADER, ['x1', 'X', 'x1@example.se']], {
      delimiter: ';',
      encoding: 'utf-8',
      bom: true,
    });
    const other = uploads.csv('other.csv', [HEADER, ['x1', 'X', 'x1.other@example.se']], {
      delimiter: ';',
      encoding: 'utf-8',
      bom: true,
    });
    await expect(
      (await importer(2, { crashAfterSaves: 0 })).execute(
        importOf('c', 'imp-2', path),
        cause('c1'),
      ),
    ).rejects.toThrow('crashed');
    const result = await (await importer(2)).execute(importOf('c', 'imp-2', other), cause('c2'));
    expect(result).toEqual({ kind: 'conflict' });
    expect((await stateOf('c', 'x1'))?.email ?? null).toBeNull();
  });

  it("keeps tenant A's request apart when tenant B sends one with the same request id", async () => {
    const progress = new RequestProgressRepository(db);
    const record = new RecordVerificationRequest(
      new UserStateRepository(db),
      progress,
      { coolDownMs: 600_000 },
      async (batch: OutboxBatch) => batch.store.acknowledge(batch.pending),
      async () => undefined,
    );
    const request = (tenantId: string, users: VerificationRequestedData['users'], count: number) =>
      record.execute(
        {
          requestId: 'req-shared',
          tenantId,
          requestedBy: { userId: 'admin' },
          users,
          part: { index: 1, count },
          resend: false,
        },
        cause(`${tenantId}-req`),
      );
    await request('ra', [{ userId: 'p1', email: 'p1.a@example.se' }], 2);
    const b = await request('rb', [{ userId: 'p1' }], 1);
    expect(b.completion).toBeDefined();
    const a = await progress.progress('ra', 'req-shared');
    expect(a).toMatchObject({ partsSeen: 1, partCount: 2, completedAt: null });
    expect(a?.tally).toMatchObject({ requested: 1, due: 1 });
    expect((await stateOf('ra', 'p1'))?.email).toBe('p1.a@example.se');
    expect((await stateOf('rb', 'p1'))?.email).toBeNull();
  });

  const linked = (userId: string) =>
    kafka
      .json<{ data: { userId: string } }>(topics.VismaConnectLinked)
      .filter((e) => e.data.userId === userId);

  const cause = (eventId: string) => ({ eventId, source: '/test', at: new Date() });

  function importOf(tenantId: string, importId: string, path: string): UserImportUploadedData {
    return {
      importId,
      tenantId,
      uploadedBy: { userId: 'admin' },
      template: 'employees-users',
      file: fileRef(path),
      verifyAfterImport: false,
    };
  }

  /**
   * An import worker of its own (connection, repositories), writing `batchSize` rows at a time;
   * `crashAfterSaves` makes it die after that many address writes, as a killed process would.
   */
  async function importer(batchSize: number, faults: { crashAfterSaves?: number } = {}) {
    const connection = await connect();
    const states = new UserStateRepository(connection);
    let saves = 0;
    const store: ConstructorParameters<typeof RunUserImport>[1] = {
      findByUserIds: (t, ids) => states.findByUserIds(t, ids),
      addressOwners: (t) => states.addressOwners(t),
      saveMany: async (writes) => {
        if (faults.crashAfterSaves !== undefined && saves >= faults.crashAfterSaves)
          throw new Error('crashed');
        saves++;
        return states.saveMany(writes);
      },
    };
    return new RunUserImport(
      new ImportSheetFiles({
        maxBytes: 1_000_000,
        fetchTimeoutMs: 10_000,
        locations: {
          files: { roots: [join(env.MAIL_OUTBOX_DIR!, '..', 'uploads')], layout: 'flat' },
          https: { allowedHosts: [] },
        },
        limits: { maxRows: 10_000, maxMemoryMb: 64, timeoutMs: 30_000 },
        reportDir: join(env.MAIL_OUTBOX_DIR!, '..', 'reports'),
      }),
      store,
      new UserImportRepository(connection),
      async (batch) => batch.store.acknowledge(batch.pending),
      { source: '/test', batchSize, usersPerRequest: 1000 },
    );
  }
});
