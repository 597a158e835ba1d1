import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import mongoose from 'mongoose';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, serializeEvent } from '@app/contracts';
import { fileRef, UploadFolder } from '../support/import-files';
import { KafkaTestClient } from '../support/kafka-test-client';
import { isolatedEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

type Completion = { data: Record<string, unknown> & { importId: string } };

// file:// uploads with one folder per tenant below the upload root (IMPORT_FILE_LAYOUT's
// default), on the real worker process, broker and database.
describe('where file:// uploads may be read from (real Kafka and MongoDB)', () => {
  let env: Record<string, string>;
  let kafka: KafkaTestClient;
  let worker: WorkerProcess;
  let db: mongoose.Connection;
  let root: string;
  let own: string;
  let theirs: string;

  beforeAll(async () => {
    env = isolatedEnv('importroots');
    root = env.IMPORT_FILE_ROOTS!;
    env.IMPORT_FILE_LAYOUT = 'per-tenant';
    env.IMPORT_REPORT_DIR = join(root, '..', 'reports');
    const header = ['Användar-ID', 'E-post Visma Connect'];
    const dialect = { delimiter: ';', encoding: 'utf-8', bom: true } as const;
    own = new UploadFolder(join(root, 'tenant-a')).csv(
      'egen.csv',
      [header, ['anna', 'anna@example.se']],
      dialect,
    );
    theirs = new UploadFolder(join(root, 'tenant-b')).csv(
      'deras.csv',
      [header, ['bertil', 'bertil@b.example.se']],
      dialect,
    );
    new UploadFolder(root).csv('i-roten.csv', [header, ['cecilia', 'c@example.se']], dialect);
    symlinkSync(theirs, join(root, 'tenant-a', 'genväg.csv'));
    execFileSync('mkfifo', [join(root, 'tenant-a', 'rör.csv')]);
    mkdirSync(join(root, 'tenant-a', 'mapp.csv'));
    kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
    worker = await startWorkerProcess('import-worker', env);
    await kafka.watch([env.TOPIC_USER_IMPORT_COMPLETED!]);
    db = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
  });
  afterAll(async () => {
    worker?.kill('SIGTERM');
    await worker?.exited;
    await kafka?.close();
    await db?.dropDatabase();
    await db?.close();
  });

  async function upload(importId: string, tenantId: string, uri: string) {
    const event = createEvent(
      'UserImportUploaded',
      {
        importId,
        tenantId,
        uploadedBy: { userId: 'admin' },
        template: 'employees-users',
        file: { uri, name: 'anstallda.csv', sizeBytes: fileRef(own).sizeBytes },
      },
      { source: '/flex-hrm/test' },
    );
    await kafka.produce(env.TOPIC_USER_IMPORT_UPLOADED!, [
      {
        key: tenantId,
        value: serializeEvent(event),
        headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
      },
    ]);
    const completion = await waitFor(`the completion of ${importId}`, () =>
      kafka
        .json<Completion>(env.TOPIC_USER_IMPORT_COMPLETED!)
        .find((e) => e.data.importId === importId),
    );
    return completion.data;
  }

  const usersOf = async (tenantId: string) =>
    (await db.collection<{ userId: string }>('user_states').find({ tenantId }).toArray()).map(
      (u) => u.userId,
    );

  it('imports a file from the tenant’s own folder', async () => {
    const done = await upload('own', 'tenant-a', pathToFileURL(own).toString());
    expect(done).toMatchObject({ status: 'completed', rows: 1, updated: 1 });
  });

  // Each of these was opened and imported before (the FIFO blocked the worker for good).
  it.each([
    ['another tenant’s file', () => pathToFileURL(theirs).toString()],
    [
      '../ into another tenant’s folder',
      () => `${pathToFileURL(root).toString()}/tenant-a/../tenant-b/deras.csv`,
    ],
    [
      'a file in the root, outside every tenant folder',
      () => `${pathToFileURL(root).toString()}/tenant-b/../i-roten.csv`,
    ],
    [
      'a symlink to another tenant’s file',
      () => pathToFileURL(join(root, 'tenant-a', 'genväg.csv')).toString(),
    ],
    ['a FIFO', () => pathToFileURL(join(root, 'tenant-a', 'rör.csv')).toString()],
    ['a folder', () => pathToFileURL(join(root, 'tenant-a', 'mapp.csv')).toString()],
    ['file:///etc/passwd', () => 'file:///etc/passwd'],
  ])('refuses %s: forbidden_location, nothing applied', async (name, uri) => {
    const failed = await upload(`refused-${name}`, 'tenant-a', uri());
    expect(failed).toMatchObject({
      status: 'failed',
      rows: 0,
      updated: 0,
      error: { code: 'forbidden_location' },
    });
    expect(JSON.stringify(failed)).not.toMatch(/root:x|bertil|cecilia/);
    expect(await usersOf('tenant-a')).toEqual(['anna']);
  });

  it('serves on after the refusals: the next upload completes', async () => {
    const done = await upload('own-again', 'tenant-b', pathToFileURL(theirs).toString());
    expect(done).toMatchObject({ status: 'completed', rows: 1, updated: 1 });
    expect(await usersOf('tenant-b')).toEqual(['bertil']);
  });
});
