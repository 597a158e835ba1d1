import { loadConfig } from '@app/config';
import { mailEnvSchema, mailLocaleOf, mailTransportConfigFrom, verifyUrlFor } from '.';

const required = {
  PUBLIC_BASE_URL: 'https://provisioning.example.se',
  LOGIN_URL: 'https://flexhrm.example/login',
};

describe('mailEnvSchema', () => {
  it('fills the defaults: without SMTP_URL mails go to .eml files', () => {
    const env = loadConfig(mailEnvSchema, required);
    expect(env).toEqual({
      ...required,
      SMTP_URL: undefined,
      MAIL_FROM: 'Flex HRM <no-reply@flexhrm.example>',
      MAIL_OUTBOX_DIR: '.mail-outbox',
      SMTP_MAX_CONNECTIONS: 5,
      SMTP_RATE_PER_SECOND: 50,
      SMTP_TIMEOUT_MS: 30_000,
      SMTP_COMPOSE_THREADS: 1,
      MESSAGE_ID_DOMAIN: 'connect-provisioning.local',
    });
    expect(mailTransportConfigFrom(env)).toEqual({
      smtpUrl: undefined,
      outboxDir: '.mail-outbox',
      maxConnections: 5,
      ratePerSecond: 50,
      timeoutMs: 30_000,
      composeThreads: 1,
    });
  });

  it('reads an SMTP relay and treats an empty SMTP_URL as unset', () => {
    const env = loadConfig(mailEnvSchema, {
      ...required,
      SMTP_URL: 'smtps://user:secret@smtp.example.se:465',
      SMTP_MAX_CONNECTIONS: '2',
    });
    expect(env.SMTP_URL).toBe('smtps://user:secret@smtp.example.se:465');
    expect(env.SMTP_MAX_CONNECTIONS).toBe(2);
    expect(loadConfig(mailEnvSchema, { ...required, SMTP_URL: '' }).SMTP_URL).toBeUndefined();
  });

  it('composes on the event loop with SMTP_COMPOSE_THREADS=0 and refuses a count out of range', () => {
    expect(loadConfig(mailEnvSchema, { ...required, SMTP_COMPOSE_THREADS: '0' })).toMatchObject({
      SMTP_COMPOSE_THREADS: 0,
    });
    for (const wrong of ['17', '-1', '1.5', 'many'])
      expect(() => loadConfig(mailEnvSchema, { ...required, SMTP_COMPOSE_THREADS: wrong })).toThrow(
        'SMTP_COMPOSE_THREADS: must be a whole number from 0 to 16',
      );
  });

  it('reports every problem by name without echoing values', () => {
    let message = '';
    try {
      loadConfig(mailEnvSchema, {
        SMTP_URL: 'http://secret-host',
        LOGIN_URL: 'ftp://x',
        SMTP_RATE_PER_SECOND: '0',
        MAIL_FROM: 'nobody',
      });
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain('SMTP_URL: must be an smtp:// or smtps:// URL');
    expect(message).toContain('PUBLIC_BASE_URL');
    expect(message).toContain('LOGIN_URL: must be an http:// or https:// URL');
    expect(message).toContain('SMTP_RATE_PER_SECOND: must be a positive integer');
    expect(message).toContain('MAIL_FROM');
    expect(message).not.toContain('secret-host');
  });
});

describe('verifyUrlFor', () => {
  it('builds <PUBLIC_BASE_URL>/verify/<token>, keeping a base path', () => {
    expect(verifyUrlFor('https://p.example.se', 'abc')).toBe('https://p.example.se/verify/abc');
    expect(verifyUrlFor('https://p.example.se/flex/', 'abc')).toBe(
      'https://p.example.se/flex/verify/abc',
    );
  });

  it('encodes the token so it cannot change the URL', () => {
    expect(verifyUrlFor('https://p.example.se', 'a/b?c#d')).toBe(
      'https://p.example.se/verify/a%2Fb%3Fc%23d',
    );
  });
});

describe('mailLocaleOf', () => {
  it('defaults to Swedish', () => {
    expect(mailLocaleOf(undefined)).toBe('sv');
    expect(mailLocaleOf('de')).toBe('sv');
    expect(mailLocaleOf('en')).toBe('en');
    expect(mailLocaleOf('en-GB')).toBe('en');
    expect(mailLocaleOf('SV')).toBe('sv');
  });
});
