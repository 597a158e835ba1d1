import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, serializeEvent } from '@app/contracts';
import { fileRef, UploadFolder } from '../support/import-files';
import { KafkaTestClient } from '../support/kafka-test-client';
import { isolatedEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

// Uploads fetched over https://, from a server on loopback whose certificate the worker trusts
// the way a deployment would add a CA: NODE_EXTRA_CA_CERTS.
describe('import of an https:// upload (real Kafka and MongoDB)', () => {
  let env: Record<string, string>;
  let kafka: KafkaTestClient;
  let server: Server;
  let worker: WorkerProcess;
  let base: string;
  let csv: string;

  beforeAll(async () => {
    env = isolatedEnv('importhttps');
    const folder = join(env.MAIL_OUTBOX_DIR!, '..');
    env.IMPORT_REPORT_DIR = join(folder, 'reports');
    env.IMPORT_MAX_BYTES = '100000';
    const uploads = new UploadFolder(join(folder, 'uploads'));
    csv = uploads.csv(
      'anstallda.csv',
      [
        ['Användar-ID', 'E-post Visma Connect'],
        ['anna', 'anna@example.se'],
        ['bo', 'bo@example.se'],
      ],
      { delimiter: ';', encoding: 'utf-8', bom: true },
    );
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const certFile = join(folder, 'ca.pem');
    writeFileSync(certFile, pems.cert);
    server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
      if (req.url === '/files/anstallda.csv') res.end(readFileSync(csv));
      else if (req.url === '/files/endless.csv') {
        // Far more than IMPORT_MAX_BYTES, with no length announced: the limit must stop it.
        res.write('Användar-ID;E-post Visma Connect\n');
        const chunk = 'x'.repeat(16_384);
        let open = true;
        res.on('close', () => (open = false));
        res.on('error', () => undefined);
        const more = () => {
          while (open && res.write(chunk));
          if (open) res.once('drain', more);
        };
        more();
      } else res.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    base = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
    worker = await startWorkerProcess('import-worker', { ...env, NODE_EXTRA_CA_CERTS: certFile });
    await kafka.watch([env.TOPIC_USER_IMPORT_COMPLETED!]);
  });
  afterAll(async () => {
    worker?.kill('SIGTERM');
    await worker?.exited;
    server?.closeAllConnections();
    server?.close();
    await kafka?.close();
  });

  async function upload(importId: string, path: string, sha256?: string) {
    const local = fileRef(csv);
    const event = createEvent(
      'UserImportUploaded',
      {
        importId,
        tenantId: 'tenant-h',
        uploadedBy: { userId: 'admin' },
        template: 'employees-users',
        file: {
          uri: `${base}${path}`,
          name: 'anstallda.csv',
          sizeBytes: local.sizeBytes,
          ...(sha256 ? { sha256 } : {}),
        },
      },
      { source: '/flex-hrm/test' },
    );
    await kafka.produce(env.TOPIC_USER_IMPORT_UPLOADED!, [
      {
        key: 'tenant-h',
        value: serializeEvent(event),
        headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
      },
    ]);
    return waitFor(`the completion of ${importId}`, () =>
      kafka
        .json<{ data: Record<string, unknown> }>(env.TOPIC_USER_IMPORT_COMPLETED!)
        .find((e) => e.data.importId === importId),
    );
  }

  it('downloads, checks and imports the file; a missing or endless one fails cleanly', async () => {
    const good = await upload('https-ok', '/files/anstallda.csv', fileRef(csv).sha256);
    expect(good.data).toMatchObject({ status: 'completed', rows: 2, updated: 2 });

    const missing = await upload('https-404', '/files/nothing.csv');
    expect(missing.data).toMatchObject({
      status: 'failed',
      error: { code: 'file_unavailable', message: expect.stringContaining('404') },
    });
    const endless = await upload('https-endless', '/files/endless.csv');
    expect(endless.data).toMatchObject({ status: 'failed', error: { code: 'too_large' } });
  });
});
