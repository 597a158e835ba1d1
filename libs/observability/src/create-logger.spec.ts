import { Writable } from 'node:stream';
import { createLogger } from './create-logger';
import { maskEmail, maskEmailsIn } from './redaction';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ service: 'test', version: '0.0.0', level: 'info', destination });
  return { logger, lines };
}

describe('maskEmail', () => {
  it('keeps the first letters and the top-level domain only', () => {
    expect(maskEmail('anna.svensson@example.se')).toBe('a***@e***.se');
    expect(maskEmail('åsa@företag.se')).toBe('å***@f***.se');
    expect(maskEmail('not-an-address')).toBe('***');
  });
});

describe('maskEmailsIn', () => {
  it("masks an address deep in a driver's error, as a bulk write reports a duplicate key", () => {
    const error = {
      writeErrors: [{ err: { op: { u: { $set: { email: 'u17615@example.se' } } } } }],
    };
    expect(JSON.stringify(maskEmailsIn({ err: error }))).not.toContain('u17615@');
  });

  it('drops what lies too deep or goes round in circles instead of passing it on', () => {
    let deep: Record<string, unknown> = { email: 'deep@example.se' };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    const circular: Record<string, unknown> = { email: 'loop@example.se' };
    circular.self = circular;
    const masked = JSON.stringify([maskEmailsIn(deep), maskEmailsIn(circular)]);
    expect(masked).not.toMatch(/deep@|loop@/);
    expect(masked).toContain('[too deep]');
    expect(masked).toContain('[circular]');
  });
});

describe('createLogger', () => {
  it('masks addresses inside logged errors, wherever the error keeps them', () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error('all recipients were rejected: 451 <anna@example.se>'), {
      rejected: ['bo@example.se'],
      rejectedErrors: [{ recipient: 'cia@example.se', response: '451 try later' }],
    });
    logger.warn({ err: error }, 'handler failed');
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/anna@|bo@|cia@/);
    expect(text).toContain('a***@e***.se');
    expect(text).toContain('451 try later');
  });

  it('masks addresses and removes tokens wherever they sit in a log object', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        email: 'anna@example.se',
        user: { email: 'bo@example.se', token: 'secret-token' },
        data: { users: [{ userId: 'u1', email: 'cia@example.se' }] },
        token: 'top-secret',
      },
      'hello',
    );
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/anna@|bo@|cia@|secret-token|top-secret/);
    expect(lines[0]).toMatchObject({
      service: 'test',
      version: '0.0.0',
      level: 'info',
      email: 'a***@e***.se',
      user: { email: 'b***@e***.se', token: '[redacted]' },
      data: { users: [{ userId: 'u1', email: 'c***@e***.se' }] },
    });
  });
});
