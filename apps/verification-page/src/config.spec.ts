import { randomBytes } from 'node:crypto';
import type { Environment } from '@app/config';
import { loadPageConfig } from './config';

const base: Environment = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/connect-provisioning',
  PUBLIC_BASE_URL: 'https://verify.example.se',
  LOGIN_URL: 'https://connect.visma.com/',
};

describe('verification page configuration', () => {
  it('lets one instance outside production sign forms with a secret of its own', () => {
    expect(loadPageConfig(base).PAGE_CSRF_SECRET).toBeUndefined();
  });

  it('requires PAGE_CSRF_SECRET when NODE_ENV=production', () => {
    expect(() => loadPageConfig({ ...base, NODE_ENV: 'production' })).toThrow(
      /PAGE_CSRF_SECRET: is required when NODE_ENV=production/,
    );
    const secret = randomBytes(32).toString('hex');
    expect(loadPageConfig({ ...base, NODE_ENV: 'production', PAGE_CSRF_SECRET: secret })).toEqual(
      expect.objectContaining({ PAGE_CSRF_SECRET: secret }),
    );
  });

  it("refuses the example file's placeholder secret", () => {
    expect(() =>
      loadPageConfig({
        ...base,
        PAGE_CSRF_SECRET: 'change-me-to-64-random-hex-characters-0123456789abcdef',
      }),
    ).toThrow(/PAGE_CSRF_SECRET: is a placeholder/);
  });

  it('keeps the broker rules of the shared Kafka settings (SASL PLAIN needs TLS in production)', () => {
    expect(() =>
      loadPageConfig({
        ...base,
        NODE_ENV: 'production',
        PAGE_CSRF_SECRET: randomBytes(32).toString('hex'),
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'verification-page',
        KAFKA_SASL_PASSWORD: randomBytes(16).toString('hex'),
      }),
    ).toThrow(/KAFKA_SASL_MECHANISM: plain sends the password in clear/);
  });
});
