import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { isProduction, placeholderProblem, type ReadFile } from '@app/config';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** The security variables, as kafkaEnvSchema reads them. */
export interface KafkaSecurityEnv {
  readonly NODE_ENV?: string | undefined;
  readonly KAFKA_SSL: boolean;
  readonly KAFKA_SSL_CA_FILE?: ReadFile | undefined;
  readonly KAFKA_SSL_CERT_FILE?: ReadFile | undefined;
  readonly KAFKA_SSL_KEY_FILE?: ReadFile | undefined;
  readonly KAFKA_SSL_REJECT_UNAUTHORIZED: boolean;
  readonly KAFKA_SASL_MECHANISM?: SaslMechanism | undefined;
  readonly KAFKA_SASL_USERNAME?: string | undefined;
  readonly KAFKA_SASL_PASSWORD?: string | undefined;
  readonly KAFKA_SASL_PASSWORD_FILE?: ReadFile | undefined;
}

export const SECURITY_KEYS: ReadonlySet<string> = new Set([
  'NODE_ENV',
  'KAFKA_SSL',
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
  'KAFKA_SSL_REJECT_UNAUTHORIZED',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_PASSWORD_FILE',
]);

/** What kafkajs needs besides the brokers: its `ssl` and `sasl` options. */
export interface KafkaSecurity {
  readonly ssl?: ConnectionOptions;
  readonly sasl?: SASLOptions;
}

export interface ConfigProblem {
  readonly key: string;
  readonly message: string;
}

/** The rules between the security variables; an empty list when the combination is usable. */
export function kafkaSecurityProblems(env: KafkaSecurityEnv): ConfigProblem[] {
  return [...tlsProblems(env), ...saslProblems(env)];
}

function tlsProblems(env: KafkaSecurityEnv): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!env.KAFKA_SSL) {
    // A certificate without TLS means the operator believes the connection is protected.
    for (const key of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const)
      if (env[key])
        problems.push({ key, message: 'is set but KAFKA_SSL is off; set KAFKA_SSL=on' });
    return problems;
  }
  if (env.KAFKA_SSL_CERT_FILE && !env.KAFKA_SSL_KEY_FILE)
    problems.push({ key: 'KAFKA_SSL_KEY_FILE', message: 'is required with KAFKA_SSL_CERT_FILE' });
  if (env.KAFKA_SSL_KEY_FILE && !env.KAFKA_SSL_CERT_FILE)
    problems.push({ key: 'KAFKA_SSL_CERT_FILE', message: 'is required with KAFKA_SSL_KEY_FILE' });
  if (!env.KAFKA_SSL_REJECT_UNAUTHORIZED && isProduction(env))
    problems.push({
      key: 'KAFKA_SSL_REJECT_UNAUTHORIZED',
      message: 'may be off only outside production (NODE_ENV=production): give KAFKA_SSL_CA_FILE',
    });
  return problems;
}

function saslProblems(env: KafkaSecurityEnv): ConfigProblem[] {
  const mechanism = env.KAFKA_SASL_MECHANISM;
  const hasPassword = env.KAFKA_SASL_PASSWORD !== undefined || !!env.KAFKA_SASL_PASSWORD_FILE;
  if (!mechanism) {
    return env.KAFKA_SASL_USERNAME !== undefined || hasPassword
      ? [{ key: 'KAFKA_SASL_MECHANISM', message: 'is required with SASL credentials' }]
      : [];
  }
  const problems: ConfigProblem[] = [];
  if (env.KAFKA_SASL_USERNAME === undefined)
    problems.push({ key: 'KAFKA_SASL_USERNAME', message: 'is required with KAFKA_SASL_MECHANISM' });
  if (env.KAFKA_SASL_PASSWORD !== undefined && env.KAFKA_SASL_PASSWORD_FILE)
    problems.push({
      key: 'KAFKA_SASL_PASSWORD',
      message: 'set it or KAFKA_SASL_PASSWORD_FILE, not both',
    });
  else if (!hasPassword)
    problems.push({
      key: 'KAFKA_SASL_PASSWORD',
      message: 'is required with KAFKA_SASL_MECHANISM (or KAFKA_SASL_PASSWORD_FILE)',
    });
  else {
    const [key, password] = passwordSource(env);
    const problem = placeholderProblem(password);
    if (problem) problems.push({ key, message: problem });
  }
  // PLAIN sends the password as it is: over plaintext anyone on the network reads it.
  if (mechanism === 'plain' && !env.KAFKA_SSL && isProduction(env))
    problems.push({
      key: 'KAFKA_SASL_MECHANISM',
      message: 'plain sends the password in clear: set KAFKA_SSL=on (or use scram-sha-512)',
    });
  return problems;
}

function passwordSource(env: KafkaSecurityEnv): [key: string, password: string] {
  if (env.KAFKA_SASL_PASSWORD !== undefined)
    return ['KAFKA_SASL_PASSWORD', env.KAFKA_SASL_PASSWORD];
  // A file from a secret store usually ends in a newline that is not part of the password.
  const fromFile = env.KAFKA_SASL_PASSWORD_FILE?.contents.toString('utf8').replace(/\r?\n$/, '');
  return ['KAFKA_SASL_PASSWORD_FILE', fromFile ?? ''];
}

/**
 * kafkajs's `ssl` and `sasl` options from a validated environment (kafkaEnvSchema has applied
 * kafkaSecurityProblems already). Without KAFKA_SSL and KAFKA_SASL_MECHANISM: plaintext, as the
 * local stack.
 */
export function kafkaSecurityFrom(env: KafkaSecurityEnv): KafkaSecurity {
  return { ...sslOption(env), ...saslOption(env) };
}

function sslOption(env: KafkaSecurityEnv): Pick<KafkaSecurity, 'ssl'> {
  if (!env.KAFKA_SSL) return {};
  const options: ConnectionOptions = {
    ...(env.KAFKA_SSL_CA_FILE && { ca: [env.KAFKA_SSL_CA_FILE.contents] }),
    ...(env.KAFKA_SSL_CERT_FILE && { cert: env.KAFKA_SSL_CERT_FILE.contents }),
    ...(env.KAFKA_SSL_KEY_FILE && { key: env.KAFKA_SSL_KEY_FILE.contents }),
    rejectUnauthorized: env.KAFKA_SSL_REJECT_UNAUTHORIZED,
  };
  return { ssl: options };
}

function saslOption(env: KafkaSecurityEnv): Pick<KafkaSecurity, 'sasl'> {
  const mechanism = env.KAFKA_SASL_MECHANISM;
  const username = env.KAFKA_SASL_USERNAME;
  if (!mechanism || username === undefined) return {};
  const [, password] = passwordSource(env);
  return { sasl: { mechanism, username, password } };
}
