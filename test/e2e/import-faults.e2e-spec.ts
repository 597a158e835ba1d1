import { join } from 'node:path';
import mongoose from 'mongoose';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, serializeEvent } from '@app/contracts';
import { fileRef, UploadFolder } from '../support/import-files';
import { KafkaTestClient } from '../support/kafka-test-client';
import { isolatedEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

const ROWS = 5000;

// The import worker as a process, killed half way through an import and started again.
describe('import worker killed mid-import (real Kafka and MongoDB)', () => {
  let env: Record<string, string>;
  let kafka: KafkaTestClient;
  let db: mongoose.Connection;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    env = { ...isolatedEnv('importfault'), IMPORT_BATCH_SIZE: '250' };
    env.IMPORT_REPORT_DIR = join(env.MAIL_OUTBOX_DIR!, '..', 'reports');
    kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
    db = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await worker?.exited;
    await kafka?.close();
    await db?.dropDatabase();
    await db?.close();
  });

  it('finishes after a SIGKILL without applying a row twice or completing twice', async () => {
    const uploads = new UploadFolder(join(env.MAIL_OUTBOX_DIR!, '..', 'uploads'));
    const path = uploads.csv(
      'many.csv',
      [
        ['Användar-ID', 'E-post Visma Connect'],
        ...Array.from({ length: ROWS }, (_, i) => [`u${i}`, `u${i}@example.se`]),
      ],
      { delimiter: ';', encoding: 'utf-8', bom: true },
    );
    worker = await startWorkerProcess('import-worker', env);
    await kafka.watch([env.TOPIC_USER_IMPORT_COMPLETED!, env.TOPIC_VERIFICATION_STATUS_CHANGED!]);
    const upload = createEvent(
      'UserImportUploaded',
      {
        importId: 'big',
        tenantId: 'tenant-f',
        uploadedBy: { userId: 'admin' },
        template: 'employees-users',
        file: fileRef(path),
      },
      { source: '/flex-hrm/test' },
    );
    await kafka.produce(env.TOPIC_USER_IMPORT_UPLOADED!, [
      {
        key: 'tenant-f',
        value: serializeEvent(upload),
        headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
      },
    ]);

    const first = worker;
    await waitFor(
      'the import to be a fifth done',
      () => first.logs.some((l) => l.msg === 'import progress' && Number(l.applied) >= ROWS / 5),
      { timeoutMs: 90_000 },
    );
    first.kill('SIGKILL');
    await first.exited;
    const appliedBeforeKill = Math.max(
      ...first.logs.filter((l) => l.msg === 'import progress').map((l) => Number(l.applied)),
    );
    expect(appliedBeforeKill).toBeLessThan(ROWS);

    worker = await startWorkerProcess('import-worker', env);
    const completion = await waitFor(
      'the completion',
      () => kafka.json<{ data: Record<string, unknown> }>(env.TOPIC_USER_IMPORT_COMPLETED!)[0],
      { timeoutMs: 120_000 },
    );
    expect(completion.data).toMatchObject({ status: 'completed', rows: ROWS, updated: ROWS });

    // Every user's change was announced under one event id: repeats carry the same id.
    await waitFor(
      'a status event for every user',
      () => statusIdsPerUser().size === ROWS || undefined,
      { timeoutMs: 60_000 },
    );
    expect([...statusIdsPerUser().values()].every((ids) => ids.size === 1)).toBe(true);
    expect(
      await db
        .collection('user_states')
        .countDocuments({ tenantId: 'tenant-f', email: { $ne: null } }),
    ).toBe(ROWS);
    // Let a late duplicate show itself before counting completions.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(kafka.json(env.TOPIC_USER_IMPORT_COMPLETED!)).toHaveLength(1);
    console.log(
      `import killed after ${appliedBeforeKill}/${ROWS} rows applied; completed once, ` +
        `${kafka.json(env.TOPIC_VERIFICATION_STATUS_CHANGED!).length} status messages for ${ROWS} users`,
    );
  });

  function statusIdsPerUser(): Map<string, Set<string>> {
    const ids = new Map<string, Set<string>>();
    for (const e of kafka.json<{ id: string; data: { userId: string } }>(
      env.TOPIC_VERIFICATION_STATUS_CHANGED!,
    ))
      (ids.get(e.data.userId) ?? ids.set(e.data.userId, new Set()).get(e.data.userId))?.add(e.id);
    return ids;
  }
});
