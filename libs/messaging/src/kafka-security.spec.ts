import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig, type Environment } from '@app/config';
import { kafkaConnectionOptions } from './create-kafka';
import { kafkaEnvSchema } from './kafka-env';
import { kafkaSecurityFrom } from './kafka-security';

const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
const file = (name: string, contents: string) => {
  const path = join(dir, name);
  writeFileSync(path, contents);
  return path;
};
const CA = file('ca.pem', 'CA PEM');
const CERT = file('client.pem', 'CERT PEM');
const KEY = file('client.key', 'KEY PEM');
const PASSWORD = 'b7d1c0e4f9a2835e6c1d0f7a9b3e2c41';
const PASSWORD_FILE = file('password', `${PASSWORD}\n`);

const load = (env: Environment) => loadConfig(kafkaEnvSchema, { KAFKA_BROKERS: 'k:9093', ...env });
const optionsFor = (env: Environment) => kafkaConnectionOptions(kafkaSecurityFrom(load(env)));

/** The problems loadConfig reports, one "NAME: message" each. */
function problemsOf(env: Environment, schema: z.ZodObject = kafkaEnvSchema): readonly string[] {
  try {
    loadConfig(schema, { KAFKA_BROKERS: 'k:9093', ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('kafka TLS and SASL settings', () => {
  it('talks plaintext without them, as to the local stack', () => {
    expect(optionsFor({})).toEqual({});
  });

  it('passes TLS with the CA, client certificate and key read at start to kafkajs', () => {
    const options = optionsFor({
      KAFKA_SSL: 'on',
      KAFKA_SSL_CA_FILE: CA,
      KAFKA_SSL_CERT_FILE: CERT,
      KAFKA_SSL_KEY_FILE: KEY,
    });
    expect(options.sasl).toBeUndefined();
    expect(options.ssl).toEqual({
      ca: [Buffer.from('CA PEM')],
      cert: Buffer.from('CERT PEM'),
      key: Buffer.from('KEY PEM'),
      rejectUnauthorized: true,
    });
  });

  it('passes SASL/SCRAM with the password from a file, its trailing newline dropped', () => {
    expect(
      optionsFor({
        KAFKA_SSL: 'on',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'verification-page',
        KAFKA_SASL_PASSWORD_FILE: PASSWORD_FILE,
      }),
    ).toEqual({
      ssl: { rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'verification-page', password: PASSWORD },
    });
  });

  it('refuses a mechanism without credentials, naming both variables', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toEqual([
      'KAFKA_SASL_USERNAME: is required with KAFKA_SASL_MECHANISM',
      'KAFKA_SASL_PASSWORD: is required with KAFKA_SASL_MECHANISM (or KAFKA_SASL_PASSWORD_FILE)',
    ]);
  });

  it('refuses credentials without a mechanism, an unknown mechanism, and two passwords', () => {
    expect(problemsOf({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD })).toEqual([
      'KAFKA_SASL_MECHANISM: is required with SASL credentials',
    ]);
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'gssapi' })).toEqual([
      'KAFKA_SASL_MECHANISM: must be one of plain, scram-sha-256, scram-sha-512',
    ]);
    expect(
      problemsOf({
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: PASSWORD,
        KAFKA_SASL_PASSWORD_FILE: PASSWORD_FILE,
      }),
    ).toEqual(['KAFKA_SASL_PASSWORD: set it or KAFKA_SASL_PASSWORD_FILE, not both']);
  });

  it('refuses a placeholder or empty password', () => {
    const sasl = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u' };
    expect(problemsOf({ ...sasl, KAFKA_SASL_PASSWORD: 'change-me' })).toEqual([
      'KAFKA_SASL_PASSWORD: is a placeholder; set a random value (e.g. openssl rand -hex 32)',
    ]);
    expect(problemsOf({ ...sasl, KAFKA_SASL_PASSWORD_FILE: file('empty', '\n') })).toEqual([
      'KAFKA_SASL_PASSWORD_FILE: is empty',
    ]);
  });

  it('refuses a CA file that does not exist or is a directory', () => {
    expect(problemsOf({ KAFKA_SSL: 'on', KAFKA_SSL_CA_FILE: join(dir, 'nope.pem') })).toEqual([
      'KAFKA_SSL_CA_FILE: names a file that does not exist',
    ]);
    expect(problemsOf({ KAFKA_SSL: 'on', KAFKA_SSL_CA_FILE: dir })).toEqual([
      'KAFKA_SSL_CA_FILE: must name a regular file (it names a directory or device)',
    ]);
  });

  it('refuses certificates while TLS is off, and a certificate without its key', () => {
    expect(problemsOf({ KAFKA_SSL_CA_FILE: CA })).toEqual([
      'KAFKA_SSL_CA_FILE: is set but KAFKA_SSL is off; set KAFKA_SSL=on',
    ]);
    expect(problemsOf({ KAFKA_SSL: 'on', KAFKA_SSL_CERT_FILE: CERT })).toEqual([
      'KAFKA_SSL_KEY_FILE: is required with KAFKA_SSL_CERT_FILE',
    ]);
  });

  it('refuses SASL PLAIN without TLS, and unchecked certificates, in production only', () => {
    const plain = {
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: PASSWORD,
    };
    expect(problemsOf(plain)).toEqual([]);
    expect(problemsOf({ ...plain, NODE_ENV: 'production' })).toEqual([
      'KAFKA_SASL_MECHANISM: plain sends the password in clear: set KAFKA_SSL=on (or use scram-sha-512)',
    ]);
    expect(problemsOf({ ...plain, NODE_ENV: 'production', KAFKA_SSL: 'on' })).toEqual([]);
    const unchecked = { KAFKA_SSL: 'on', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' };
    expect(optionsFor(unchecked).ssl).toEqual({ rejectUnauthorized: false });
    expect(problemsOf({ ...unchecked, NODE_ENV: 'production' })).toEqual([
      'KAFKA_SSL_REJECT_UNAUTHORIZED: may be off only outside production (NODE_ENV=production): give KAFKA_SSL_CA_FILE',
    ]);
  });

  it('names these problems in the same round as unrelated ones, also in an extended schema', () => {
    const appSchema = kafkaEnvSchema.extend({ OTHER: z.string({ error: 'is required' }) });
    expect(problemsOf({ KAFKA_BROKERS: '', KAFKA_SASL_MECHANISM: 'plain' }, appSchema)).toEqual([
      'KAFKA_BROKERS: must list at least one broker as host:port, comma-separated',
      'OTHER: is required',
      'KAFKA_SASL_USERNAME: is required with KAFKA_SASL_MECHANISM',
      'KAFKA_SASL_PASSWORD: is required with KAFKA_SASL_MECHANISM (or KAFKA_SASL_PASSWORD_FILE)',
    ]);
  });

  it('never echoes a password in a problem', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: PASSWORD,
    });
    expect(problems.join('\n')).not.toContain(PASSWORD);
  });
});
