// Checks docker-compose.yml for what an attacker on the network would find first: published
// ports, databases without users, example secrets. It reads the file (nothing here runs
// containers), as tools/monitoring.spec.ts does.
import { readComposeFile } from './compose-file';

const compose = readComposeFile();
const services = Object.entries(compose.services);
const environment = (name: string) => compose.services[name]?.environment ?? {};

/** `${NAME:?message}`: compose refuses to start while NAME is unset or empty. */
const REQUIRED_FROM_ENV = /^\$\{[A-Z_]+:\?[^}]+\}$/;
const SECRET_NAME = /PASSWORD|SECRET|TOKEN/;

describe('docker-compose.yml, exposure and secrets', () => {
  it('publishes every port on 127.0.0.1 only', () => {
    const published = services.flatMap(([name, s]) => (s.ports ?? []).map((p) => `${name} ${p}`));
    expect(published.length).toBeGreaterThan(0);
    for (const mapping of published) expect(mapping).toMatch(/ 127\.0\.0\.1:\d+:\d+$/);
  });

  it('takes every secret from the environment and requires it, never a written-in value', () => {
    const secrets = services.flatMap(([name, s]) =>
      Object.entries(s.environment ?? {})
        .filter(([key]) => SECRET_NAME.test(key))
        .map(([key, value]) => ({ at: `${name}.${key}`, value: String(value) })),
    );
    expect(secrets.map((s) => s.at).sort()).toEqual([
      'grafana.GF_SECURITY_ADMIN_PASSWORD',
      'mongodb.MONGO_INITDB_ROOT_PASSWORD',
      'ops-console.OPS_CONSOLE_TOKEN',
      'verification-page.PAGE_CSRF_SECRET',
    ]);
    // The old file's change-me-… tokens were public: anyone who read the repository had them.
    for (const { at, value } of secrets)
      expect({ at, value }).toEqual({ at, value: expect.stringMatching(REQUIRED_FROM_ENV) });
  });

  it('gives MongoDB a user, and every app signs in with it', () => {
    expect(environment('mongodb').MONGO_INITDB_ROOT_USERNAME).toBe('connect');
    const uris = services.flatMap(([, s]) =>
      s.environment?.MONGODB_URI === undefined ? [] : [String(s.environment.MONGODB_URI)],
    );
    expect(uris).toHaveLength(4);
    for (const uri of uris)
      expect(uri).toBe(
        'mongodb://connect:${MONGO_PASSWORD}@mongodb:27017/connect-provisioning?authSource=admin',
      );
  });
});
