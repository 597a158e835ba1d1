import { randomBytes } from 'node:crypto';
import type { Environment } from '@app/config';
import { loadConsoleConfig } from './config';

const base: Environment = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/connect-provisioning',
};

describe('operations console configuration', () => {
  it("refuses the example file's placeholder token and other obvious ones", () => {
    for (const token of [
      'change-me-to-64-random-hex-characters-0123456789abcdef',
      'x'.repeat(40),
      '<paste-the-operators-token-here-32-chars>',
    ])
      expect(() => loadConsoleConfig({ ...base, OPS_CONSOLE_TOKEN: token })).toThrow(
        /OPS_CONSOLE_TOKEN: is a placeholder/,
      );
  });

  it('still names a missing or short token as before', () => {
    expect(() => loadConsoleConfig(base)).toThrow(
      /OPS_CONSOLE_TOKEN: is required: the operators' token/,
    );
    expect(() => loadConsoleConfig({ ...base, OPS_CONSOLE_TOKEN: 'f00d' })).toThrow(
      /OPS_CONSOLE_TOKEN: must be at least 32 characters/,
    );
  });

  it('accepts a random token', () => {
    const token = randomBytes(32).toString('hex');
    expect(loadConsoleConfig({ ...base, OPS_CONSOLE_TOKEN: token }).OPS_CONSOLE_TOKEN).toBe(token);
  });
});
