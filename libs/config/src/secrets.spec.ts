import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { isPlaceholderSecret, loadConfig, onOff, readableFile, secretString } from '.';

describe('placeholder secrets', () => {
  it.each([
    'change-me-to-64-random-hex-characters-0123456789abcdef',
    'changeme',
    'CHANGE_ME_PLEASE_0123456789abcdefghijkl',
    'replace me with a real token of 32 chars',
    '<your-token-of-at-least-32-characters>',
    'your-secret-goes-here-0123456789abcd',
    'example-secret-0123456789abcdefghijklmn',
    'a'.repeat(64),
    '0'.repeat(32),
    '12121212121212121212121212121212',
    'secret',
    'admin',
  ])('takes %p for a placeholder', (value) => {
    expect(isPlaceholderSecret(value)).toBe(true);
  });

  it('does not take a word of a placeholder inside a longer run of letters and digits for one', () => {
    expect(isPlaceholderSecret('Qk9dummyZx3+Lr7Wq2Yt5Bn8Vc1Hm4Jp6')).toBe(false);
    expect(isPlaceholderSecret('Qk9/dummy+3Lr7Wq2Yt5Bn8Vc1Hm4Jp6')).toBe(true);
  });

  it('never takes a random hex or base64 value for one', () => {
    for (let i = 0; i < 2_000; i++) {
      expect(isPlaceholderSecret(randomBytes(32).toString('hex'))).toBe(false);
      expect(isPlaceholderSecret(randomBytes(24).toString('base64'))).toBe(false);
    }
  });

  it('refuses a placeholder by the variable name, without echoing it', () => {
    const schema = z.object({ TOKEN: secretString(32, 'at least 32 characters') });
    const value = 'change-me-to-64-random-hex-characters-0123456789abcdef';
    expect(() => loadConfig(schema, { TOKEN: value })).toThrow(/TOKEN: is a placeholder/);
    expect(() => loadConfig(schema, { TOKEN: value })).not.toThrow(/0123456789abcdef/);
    expect(
      loadConfig(schema, { TOKEN: 'f3'.repeat(16) + randomBytes(8).toString('hex') }).TOKEN,
    ).toHaveLength(48);
  });
});

describe('on/off and file variables', () => {
  const schema = z.object({ FLAG: onOff(true), FILE: readableFile().optional() });

  it('reads on/off with a default', () => {
    expect(loadConfig(schema, {}).FLAG).toBe(true);
    expect(loadConfig(schema, { FLAG: 'OFF' }).FLAG).toBe(false);
    expect(loadConfig(schema, { FLAG: 'true' }).FLAG).toBe(true);
    expect(() => loadConfig(schema, { FLAG: 'maybe' })).toThrow(/FLAG: must be on or off/);
  });

  it('reads a file once, and names one that does not exist or is a directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-file-'));
    writeFileSync(join(dir, 'ca.pem'), 'PEM');
    expect(loadConfig(schema, { FILE: join(dir, 'ca.pem') }).FILE?.contents.toString()).toBe('PEM');
    expect(() => loadConfig(schema, { FILE: join(dir, 'missing.pem') })).toThrow(
      /FILE: names a file that does not exist/,
    );
    expect(() => loadConfig(schema, { FILE: dir })).toThrow(/FILE: must name a regular file/);
  });
});
