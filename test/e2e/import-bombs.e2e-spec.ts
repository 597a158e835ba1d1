import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, serializeEvent } from '@app/contracts';
import { emptyRowsSheet, sharedStringBomb, wideSheet, zipBomb } from '../support/import-bombs';
import { fileRef, UploadFolder } from '../support/import-files';
import { KafkaTestClient } from '../support/kafka-test-client';
import { isolatedEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

type Completed = {
  data: { importId: string; status: string; error?: { code: string; message: string } };
};

// Issue 18, finding 2: files built to exhaust the reader, against the import worker as its own
// process. Before the caps, the shared-string bomb killed it (heap out of memory, exit 134)
// and Kafka delivered the upload again into the same crash.
describe('hostile upload files (real Kafka and MongoDB, worker as a process)', () => {
  let env: Record<string, string>;
  let kafka: KafkaTestClient;
  let worker: WorkerProcess | undefined;
  let uploads: UploadFolder;
  const statusOf = (field: 'VmRSS' | 'VmHWM') => {
    const status = readFileSync(`/proc/${worker?.process.pid}/status`, 'utf8');
    return Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024);
  };

  beforeAll(async () => {
    env = isolatedEnv('importbombs');
    env.IMPORT_REPORT_DIR = join(env.MAIL_OUTBOX_DIR!, '..', 'reports');
    uploads = new UploadFolder(join(env.MAIL_OUTBOX_DIR!, '..', 'uploads'));
    kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
    // The worker creates the topics it uses; the watcher subscribes once they are there.
    worker = await startWorkerProcess('import-worker', env);
    await kafka.watch([env.TOPIC_USER_IMPORT_COMPLETED!]);
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await worker?.exited;
    await kafka?.close();
  });

  async function upload(importId: string, path: string): Promise<Completed['data']> {
    const event = createEvent(
      'UserImportUploaded',
      {
        importId,
        tenantId: 'tenant-bombs',
        uploadedBy: { userId: 'admin' },
        template: 'employees-users',
        file: fileRef(path),
      },
      { source: '/flex-hrm/test', id: `upload-${importId}` },
    );
    await kafka.produce(env.TOPIC_USER_IMPORT_UPLOADED!, [
      {
        key: 'tenant-bombs',
        value: serializeEvent(event),
        headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
      },
    ]);
    const completed = await waitFor(
      `the completion of ${importId}`,
      () => {
        if (worker?.process.exitCode !== null)
          throw new Error(`the worker exited with ${worker?.process.exitCode}`);
        return kafka
          .json<Completed>(env.TOPIC_USER_IMPORT_COMPLETED!)
          .find((e) => e.data.importId === importId);
      },
      { timeoutMs: 120_000 },
    );
    return completed.data;
  }

  it('fails every bomb with a clear code, serving on and importing a good file after', async () => {
    const bombs: [string, Buffer, string, RegExp][] = [
      [
        'shared-string',
        sharedStringBomb(),
        'too_large',
        /^the cell in row 2, column 1 has more than 1000 characters$/,
      ],
      ['zip', zipBomb(2 * 1024 ** 3), 'too_large', /^the workbook unpacks to more than 256 MB$/],
      ['wide', wideSheet(16_384), 'too_large', /^row 1 has values beyond column 100$/],
      [
        'empty-rows',
        emptyRowsSheet(1_000_000),
        'too_large',
        /^the sheet has more than 200000 empty rows$/,
      ],
    ];
    const measured = [`idle: worker RSS ${statusOf('VmRSS')} MB`];
    for (const [name, bytes, code, message] of bombs) {
      const path = uploads.write(`${name}.xlsx`, bytes);
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, statusOf('VmRSS'))), 100);
      const started = Date.now();
      const completed = await upload(`bomb-${name}`, path).finally(() => clearInterval(sampler));
      expect({ name, ...completed }).toMatchObject({
        name,
        status: 'failed',
        error: { code, message: expect.stringMatching(message) },
      });
      measured.push(
        `${name} (${Math.round(bytes.length / 1024)} KB): ${Date.now() - started} ms, ` +
          `worker RSS up to ${peak} MB`,
      );
    }

    // Still serving: the same worker process imports a good file.
    const good = uploads.csv(
      'good.csv',
      [
        ['Användar-ID', 'E-post Visma Connect'],
        ['u1', 'u1@example.se'],
      ],
      { delimiter: ';', encoding: 'utf-8', bom: true },
    );
    expect(await upload('good-after-bombs', good)).toMatchObject({
      status: 'completed',
      rows: 1,
      updated: 1,
    });
    expect(worker?.process.exitCode).toBeNull();
    console.log(
      `import worker under bombs (peak RSS of the whole run ${statusOf('VmHWM')} MB):\n` +
        measured.join('\n'),
    );
  });
});
