// The client's TLS and SASL settings against a real broker: a second, throw-away Kafka with
// SCRAM over plaintext and over TLS, and ACLs on (test/support/secured-broker.ts), fed the
// ACL commands of docs/security.md as written.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Kafka,
  logLevel,
  ResourcePatternTypes,
  type AclEntry,
} from 'kafkajs';
import pino from 'pino';
import { loadConfig, type Environment } from '@app/config';
import { DEFAULT_TOPICS } from '@app/contracts';
import {
  createKafka,
  createProducer,
  kafkaConnectionOptions,
  kafkaEnvSchema,
  kafkaSecurityFrom,
} from '@app/messaging';
import { startSecuredBroker, type SecuredBroker } from '../support/secured-broker';

const logger = pino({ level: 'silent' });
const TESTED_PRINCIPALS = ['hrm', 'verification-page', 'verification-worker'] as const;

/** A client built the way the apps build theirs: from the environment, through the schema. */
function clientFrom(env: Environment): Kafka {
  const config = loadConfig(kafkaEnvSchema, env);
  return createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: 'kafka-security-test',
    logger,
    security: kafkaSecurityFrom(config),
  });
}

/** true, 'not authorized' (the broker's ACLs refused it), or what else went wrong. */
async function canProduce(kafka: Kafka, topic: string): Promise<true | string> {
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ key: 'acme', value: '{}' }] });
    return true;
  } catch (error) {
    const message = String(error);
    return /not authorized|authorization failed/i.test(message) ? 'not authorized' : message;
  } finally {
    await producer.disconnect();
  }
}

describe('Kafka with SASL/SCRAM, TLS and the ACLs of docs/security.md (a broker of its own)', () => {
  let broker: SecuredBroker;
  let secrets: string;
  const scram = (user: string, brokers = broker.saslPlaintext): Environment => {
    const file = join(secrets, user);
    writeFileSync(file, `${broker.users[user]}\n`);
    return {
      KAFKA_BROKERS: brokers,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: user,
      KAFKA_SASL_PASSWORD_FILE: file,
    };
  };

  beforeAll(async () => {
    broker = await startSecuredBroker(TESTED_PRINCIPALS);
    secrets = mkdtempSync(join(tmpdir(), 'kafka-secrets-'));
    const admin = clientFrom(scram('admin')).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: Object.values(DEFAULT_TOPICS).map((topic) => ({ topic, numPartitions: 1 })),
      });
      await admin.createAcls({ acl: documentedAcls(TESTED_PRINCIPALS) });
    } finally {
      await admin.disconnect();
    }
  }, 90_000);

  afterAll(async () => {
    await broker?.stop();
    if (secrets) rmSync(secrets, { recursive: true, force: true });
  });

  it('starts in well under 30 s', () => {
    // Measured on the project's 2-core machine; a slower start belongs in the chaos runs.
    expect(broker.startedInMs).toBeLessThan(30_000);
  });

  it('connects with SCRAM-SHA-512 over plaintext, the password read from KAFKA_SASL_PASSWORD_FILE', async () => {
    const admin = clientFrom(scram('admin')).admin();
    await admin.connect();
    expect(await admin.listTopics()).toEqual(
      expect.arrayContaining([DEFAULT_TOPICS.EmailVerified]),
    );
    await admin.disconnect();
  });

  it('connects over TLS, checking the broker certificate against KAFKA_SSL_CA_FILE', async () => {
    const env = {
      ...scram('admin', broker.saslSsl),
      KAFKA_SSL: 'on',
      KAFKA_SSL_CA_FILE: broker.caFile,
    };
    const admin = clientFrom(env).admin();
    await admin.connect();
    expect((await admin.describeCluster()).brokers).toHaveLength(1);
    await admin.disconnect();
  });

  it('refuses a broker certificate its CA did not sign, and a wrong password', async () => {
    const noCa = { ...scram('admin', broker.saslSsl), KAFKA_SSL: 'on' };
    await expect(quickAdmin(noCa).connect()).rejects.toThrow(/self[- ]signed|certificate/i);
    const wrong = {
      ...scram('admin'),
      KAFKA_SASL_PASSWORD_FILE: undefined,
      KAFKA_SASL_PASSWORD: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    };
    await expect(quickAdmin(wrong).connect()).rejects.toThrow(
      /SASL SCRAM SHA512 authentication failed|Authentication failed/i,
    );
  });

  it('gets nowhere without SASL settings, as every client did before KAFKA_SASL_*', async () => {
    // The broker answers ApiVersions before authentication, so connect() alone succeeds.
    const admin = quickAdmin({ KAFKA_BROKERS: broker.saslPlaintext });
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
    await admin.disconnect();
  });

  it('lets the verification page produce EmailVerified and nothing else, and the HRM not EmailVerified', async () => {
    const page = clientFrom(scram('verification-page'));
    const hrm = clientFrom(scram('hrm'));
    const worker = clientFrom(scram('verification-worker'));
    expect(await canProduce(page, DEFAULT_TOPICS.EmailVerified)).toBe(true);
    expect(await canProduce(page, DEFAULT_TOPICS.VismaConnectLinked)).toBe('not authorized');
    expect(await canProduce(hrm, DEFAULT_TOPICS.VerificationRequested)).toBe(true);
    expect(await canProduce(hrm, DEFAULT_TOPICS.EmailVerified)).toBe('not authorized');
    expect(await canProduce(worker, DEFAULT_TOPICS.VismaConnectLinked)).toBe(true);
    expect(await canProduce(worker, DEFAULT_TOPICS.EmailVerified)).toBe('not authorized');
  });

  /** The same settings with kafkajs's retries off, so a refusal fails at once. */
  function quickAdmin(env: Environment) {
    const config = loadConfig(kafkaEnvSchema, env);
    return new Kafka({
      brokers: config.KAFKA_BROKERS,
      ...kafkaConnectionOptions(kafkaSecurityFrom(config)),
      retry: { retries: 0 },
      connectionTimeout: 3_000,
      logLevel: logLevel.NOTHING,
    }).admin();
  }
});

// ----------------------------------------------------------- the documented kafka-acls.sh lines

const OPERATIONS: Readonly<Record<string, AclOperationTypes>> = {
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  Describe: AclOperationTypes.DESCRIBE,
  Create: AclOperationTypes.CREATE,
  Delete: AclOperationTypes.DELETE,
};

/** The `acl --allow-principal User:<name> …` lines of docs/security.md for these principals. */
function documentedAcls(principals: readonly string[]): AclEntry[] {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'security.md'), 'utf8');
  const lines = doc.split('\n').filter((line) => line.startsWith('acl --allow-principal '));
  const entries = lines.flatMap((line) => aclEntriesOf(line.split(/\s+/).slice(1)));
  const wanted = new Set(principals.map((name) => `User:${name}`));
  const chosen = entries.filter((entry) => wanted.has(entry.principal));
  // Every tested principal has lines: a renamed principal in the page must not pass unseen.
  for (const principal of wanted) expect(chosen.some((e) => e.principal === principal)).toBe(true);
  return chosen;
}

function aclEntriesOf(args: string[]): AclEntry[] {
  const value = (flag: string) => args[args.indexOf(flag) + 1];
  const principal = value('--allow-principal')!;
  const operations = args.flatMap((arg, i) => (arg === '--operation' ? [args[i + 1]!] : []));
  const [resourceType, resourceName] = args.includes('--topic')
    ? [AclResourceTypes.TOPIC, value('--topic')!]
    : [AclResourceTypes.GROUP, value('--group')!];
  const resourcePatternType =
    value('--resource-pattern-type') === 'prefixed'
      ? ResourcePatternTypes.PREFIXED
      : ResourcePatternTypes.LITERAL;
  return operations.map((name) => {
    const operation = OPERATIONS[name];
    if (operation === undefined) throw new Error(`docs/security.md: unknown operation ${name}`);
    return {
      principal,
      host: '*',
      operation,
      permissionType: AclPermissionTypes.ALLOW,
      resourceType,
      resourceName,
      resourcePatternType,
    };
  });
}
