// A second, throw-away Kafka broker with SASL/SCRAM over plaintext and over TLS, and ACLs on,
// for tests of the client's security settings. Its own ports and folder; the shared test
// broker is never touched. The same jars as infra/local/stack.sh.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { waitFor } from './wait-for';

const KAFKA_VERSION = '3.9.2';
const ROOT = join(__dirname, '..', '..');

export interface SecuredBroker {
  /** SASL_PLAINTEXT, SCRAM-SHA-512. */
  readonly saslPlaintext: string;
  /** SASL_SSL, SCRAM-SHA-512, certificate for 127.0.0.1 signed by `caFile`. */
  readonly saslSsl: string;
  readonly caFile: string;
  /** Users known to the broker, name → password; `admin` is a super user. */
  readonly users: Readonly<Record<string, string>>;
  readonly startedInMs: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function kafkaLibs(): string {
  const cache =
    process.env.CONNECT_STACK_CACHE ?? join(homedir(), '.cache', 'connect-provisioning');
  return join(cache, `kafka-${KAFKA_VERSION}`, 'libs');
}

function serverProperties(dir: string, ports: { sasl: number; ssl: number; controller: number }) {
  const jaas = (user: string, password: string) =>
    `org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${password}";`;
  return (adminPassword: string) =>
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${ports.controller}`,
      `listeners=SASL_PLAINTEXT://127.0.0.1:${ports.sasl},SASL_SSL://127.0.0.1:${ports.ssl},CONTROLLER://127.0.0.1:${ports.controller}`,
      `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${ports.sasl},SASL_SSL://127.0.0.1:${ports.ssl}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=SASL_PLAINTEXT',
      'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
      'sasl.enabled.mechanisms=SCRAM-SHA-512',
      'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
      `listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=${jaas('admin', adminPassword)}`,
      `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${jaas('admin', adminPassword)}`,
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${join(dir, 'broker.pem')}`,
      'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      // The controller listener is plaintext inside this one process: its principal is ANONYMOUS.
      'super.users=User:admin;User:ANONYMOUS',
      'allow.everyone.if.no.acl.found=false',
      `log.dirs=${join(dir, 'data')}`,
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'auto.create.topics.enable=false',
      'group.initial.rebalance.delay.ms=0',
    ].join('\n');
}

/** Starts the broker and waits until it serves; about 10 s on the project's machine. */
export async function startSecuredBroker(userNames: readonly string[]): Promise<SecuredBroker> {
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'secured-broker-'));
  const ports = { sasl: await freePort(), ssl: await freePort(), controller: await freePort() };
  const users: Record<string, string> = { admin: randomBytes(16).toString('hex') };
  for (const name of userNames) users[name] = randomBytes(16).toString('hex');

  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  writeFileSync(join(dir, 'broker.pem'), `${pems.private}\n${pems.cert}\n`);
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pems.cert);
  const properties = join(dir, 'server.properties');
  writeFileSync(properties, serverProperties(dir, ports)(users.admin!));

  const java = [
    '-Xms256m',
    '-Xmx256m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${join(ROOT, 'infra/local/kafka/log4j.properties')}`,
    '-cp',
    `${kafkaLibs()}/*`,
  ];
  const scram = Object.entries(users).flatMap(([name, password]) => [
    '--add-scram',
    `SCRAM-SHA-512=[name=${name},password=${password}]`,
  ]);
  const format = spawnSync(
    'java',
    [
      ...java,
      'kafka.tools.StorageTool',
      'format',
      '--cluster-id',
      clusterId(),
      '-c',
      properties,
      ...scram,
    ],
    { encoding: 'utf8' },
  );
  if (format.status !== 0)
    throw new Error(`formatting the secured broker failed: ${format.stderr}`);

  const logFile = join(dir, 'kafka.log');
  writeFileSync(logFile, '');
  const child: ChildProcess = spawn('java', [...java, 'kafka.Kafka', properties], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(
    'the secured broker to start',
    () => {
      if (child.exitCode !== null) throw new Error(`it exited: ${output.slice(-2000)}`);
      return output.includes('Kafka Server started');
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  return {
    saslPlaintext: `127.0.0.1:${ports.sasl}`,
    saslSsl: `127.0.0.1:${ports.ssl}`,
    caFile,
    users,
    startedInMs: Date.now() - t0,
    async stop() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      writeFileSync(logFile, output);
      if (process.env.KEEP_SECURED_BROKER === undefined)
        rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** 16 random bytes, URL-safe base64, not starting with "-" (the storage tool reads it as an option). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
