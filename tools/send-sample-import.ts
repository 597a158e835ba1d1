/**
 * Sends one UserImportUploaded for a file on this machine to the running pipeline, as Flex HRM
 * does after an administrator uploads the Employees/users template, and prints the import's
 * UserImportCompleted when it arrives. The file is put where `npm start`'s worker reads uploads:
 * `.import-uploads/<tenant>/` (IMPORT_FILE_ROOTS, per-tenant layout).
 *
 *   npm run send:import -- --tenant acme --file users.csv [--verify]
 *   npm run send:import -- --tenant acme --sample 2000     writes a sample file of 2000 rows first
 */
import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { createEvent, parseEventOf } from '@app/contracts';
import { createProducer, EventPublisher, topicMapFrom } from '@app/messaging';

const USAGE = `usage: send-sample-import --tenant <id> (--file <csv or xlsx> | --sample <rows>) [--verify] [--timeout-ms 120000]`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string', default: 'demo' },
      file: { type: 'string' },
      sample: { type: 'string' },
      verify: { type: 'boolean', default: false },
      'timeout-ms': { type: 'string', default: '120000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || (!values.file && !values.sample)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const folder = resolve('.import-uploads', values.tenant);
  mkdirSync(folder, { recursive: true });
  const path = values.file
    ? upload(resolve(values.file), folder)
    : writeSample(Number(values.sample), folder);
  const bytes = readFileSync(path);
  const importId = randomUUID();
  const event = createEvent(
    'UserImportUploaded',
    {
      importId,
      tenantId: values.tenant,
      uploadedBy: { userId: 'sample-admin' },
      template: 'employees-users',
      file: {
        uri: pathToFileURL(path).toString(),
        name: basename(path),
        sizeBytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      },
      verifyAfterImport: values.verify,
    },
    { source: '/connect-provisioning/tools/send-sample-import' },
  );
  const topics = topicMapFrom(process.env);
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const kafka = new Kafka({ clientId: 'send-sample-import', brokers, logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({ groupId: `send-sample-import-${importId}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.UserImportCompleted], fromBeginning: false });
  const completed = new Promise<string>((done) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        const parsed = parseEventOf(message.value, 'UserImportCompleted');
        if (!parsed.ok || parsed.event.data.importId !== importId) return;
        const { status, rows, updated, unchanged, rejected, reportUri } = parsed.event.data;
        done(
          `UserImportCompleted: ${status}, ${rows} rows: ${updated} updated, ${unchanged} unchanged, ${rejected} rejected; report ${reportUri ?? '-'}`,
        );
      },
    });
  });
  await new Promise<void>((joined) => consumer.on(consumer.events.GROUP_JOIN, () => joined()));
  const producer = createProducer(kafka);
  await producer.connect();
  await new EventPublisher(producer, topics).publish([event]);
  console.log(
    `sent UserImportUploaded (import ${importId}, ${basename(path)}) to ${topics.UserImportUploaded}`,
  );
  console.log(`follow it: npx connect-ops import ${values.tenant} ${importId}`);
  const timeoutMs = Number(values['timeout-ms']);
  const timeout = new Promise<undefined>((done) =>
    setTimeout(() => done(undefined), timeoutMs).unref(),
  );
  const line = await Promise.race([completed, timeout]);
  await producer.disconnect();
  await consumer.disconnect();
  console.log(
    line ?? `(no completion within ${timeoutMs} ms; is the import worker running? npm start)`,
  );
  return line ? 0 : 1;
}

/** A copy in the tenant's upload folder, as Flex HRM keeps an administrator's upload. */
function upload(file: string, folder: string): string {
  const path = resolve(folder, basename(file));
  if (path !== file) copyFileSync(file, path);
  return path;
}

/** An Employees/users file of `rows` users with addresses, one of them malformed (R9). */
function writeSample(rows: number, folder: string): string {
  if (!Number.isSafeInteger(rows) || rows < 1)
    throw new Error('--sample must be a positive whole number');
  const lines = ['Användar-ID;Namn;E-post Visma Connect;Avdelning'];
  for (let i = 1; i <= rows; i++)
    lines.push(`u${i};Person ${i};${i === 2 ? 'inte en adress' : `person.${i}@example.se`};Lön`);
  const path = resolve(folder, `sample-${rows}.csv`);
  writeFileSync(path, `\uFEFF${lines.join('\r\n')}\r\n`);
  return path;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
