import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { generate } from 'selfsigned';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, serializeEvent } from '@app/contracts';
import { fileRef, UploadFolder } from '../support/import-files';
import { KafkaTestClient } from '../support/kafka-test-client';
import { isolatedEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

// Uploads fetched over https://, from a server on loopback whose certificate the worker trusts
// the way a deployment would add a CA: NODE_EXTRA_CA_CERTS. The server's address is allowed
// explicitly (IMPORT_ALLOW_PRIVATE_ADDRESSES), as only tests do; its name `localhost`, which the
// certificate also names, is not on IMPORT_ALLOWED_HOSTS.
describe('import of an https:// upload (real Kafka and MongoDB)', () => {
  let env: Record<string, string>;
  let kafka: KafkaTestClient;
  let server: Server;
  let plain: HttpServer;
  let worker: WorkerProcess;
  let base: string;
  let csv: string;

  beforeAll(async () => {
    env = isolatedEnv('importhttps');
    const folder = join(env.MAIL_OUTBOX_DIR!, '..');
    env.IMPORT_REPORT_DIR = join(folder, 'reports');
    env.IMPORT_MAX_BYTES = '100000';
    env.IMPORT_ALLOWED_HOSTS = '127.0.0.1';
    env.IMPORT_ALLOW_PRIVATE_ADDRESSES = '127.0.0.1';
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
      extensions: [
        {
          name: 'subjectAltName',
          altNames: [
            { type: 7, ip: '127.0.0.1' },
            { type: 2, value: 'localhost' },
          ],
        },
      ],
    });
    // Plain HTTP on loopback: what a redirect must not be able to reach.
    plain = createHttpServer((_req, res) => res.end(readFileSync(csv)));
    await new Promise<void>((done) => plain.listen(0, '127.0.0.1', done));
    const plainPort = (plain.address() as AddressInfo).port;
    const certFile = join(folder, 'ca.pem');
    writeFileSync(certFile, pems.cert);
    let port = 0;
    const redirects: Record<string, () => string> = {
      '/redirect/same': () => '/files/anstallda.csv',
      '/redirect/http': () => `http://127.0.0.1:${plainPort}/files/anstallda.csv`,
      '/redirect/elsewhere': () => `https://localhost:${port}/files/anstallda.csv`,
      '/redirect/loop': () => '/redirect/loop',
    };
    server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
      const redirect = redirects[req.url ?? ''];
      if (redirect) res.writeHead(302, { location: redirect() }).end();
      else if (req.url === '/files/anstallda.csv') res.end(readFileSync(csv));
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
    port = (server.address() as AddressInfo).port;
    base = `https://127.0.0.1:${port}`;
    kafka = new KafkaTestClient(env.KAFKA_BROKERS!);
    worker = await startWorkerProcess('import-worker', { ...env, NODE_EXTRA_CA_CERTS: certFile });
    await kafka.watch([env.TOPIC_USER_IMPORT_COMPLETED!]);
  });
  afterAll(async () => {
    worker?.kill('SIGTERM');
    await worker?.exited;
    server?.closeAllConnections();
    server?.close();
    plain?.closeAllConnections();
    plain?.close();
    await kafka?.close();
  });

  async function upload(importId: string, path: string, sha256?: string, tenantId = 'tenant-h') {
    const local = fileRef(csv);
    const event = createEvent(
      'UserImportUploaded',
      {
        importId,
        tenantId,
        uploadedBy: { userId: 'admin' },
        template: 'employees-users',
        file: {
          uri: /^[a-z]+:/.test(path) ? path : `${base}${path}`,
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

  it('follows a redirect on the same allowed host', async () => {
    const moved = await upload(
      'https-moved',
      '/redirect/same',
      fileRef(csv).sha256,
      'tenant-moved',
    );
    expect(moved.data).toMatchObject({ status: 'completed', rows: 2, updated: 2 });
  });

  // Each of these imported the file before: fetch followed any redirect to any host.
  it.each([
    ['a redirect to plain http://127.0.0.1', '/redirect/http', /https/],
    ['a redirect to a host not on the list', '/redirect/elsewhere', /localhost.*not an allowed/],
    ['a host not on the list', 'https://localhost:PORT/files/anstallda.csv', /not an allowed/],
    ['an endless chain of redirects', '/redirect/loop', /redirects/],
    ['file:///etc/passwd', 'file:///etc/passwd', /not in an upload folder/],
  ])('refuses %s: forbidden_location, nothing applied', async (_name, path, message) => {
    const tenantId = `tenant-refused-${path.replace(/\W/g, '')}`;
    const uri = path.replace('PORT', base.split(':').pop() ?? '');
    const refused = await upload(`refused-${tenantId}`, uri, undefined, tenantId);
    expect(refused.data).toMatchObject({
      status: 'failed',
      rows: 0,
      updated: 0,
      error: { code: 'forbidden_location', message: expect.stringMatching(message) },
    });
    expect(JSON.stringify(refused.data)).not.toMatch(/root:x|anna@example/);
    const db = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
    try {
      expect(await db.collection('user_states').countDocuments({ tenantId })).toBe(0);
    } finally {
      await db.close();
    }
  });
});
