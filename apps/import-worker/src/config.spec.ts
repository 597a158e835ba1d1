import { ConfigError } from '@app/config';
import { importLocationsFrom, loadImportWorkerConfig } from './config';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', MONGODB_URI: 'mongodb://127.0.0.1:27017/x' };

function problems(env: Record<string, string>): string[] {
  try {
    loadImportWorkerConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('import worker settings: where uploads may come from', () => {
  it('needs upload roots while file:// is on, and none once it is off', () => {
    expect(problems({})).toEqual([
      expect.stringMatching(/^IMPORT_FILE_ROOTS: must name at least one/),
    ]);
    expect(problems({ IMPORT_FILE_URIS: 'off' })).toEqual([]);
  });

  it('takes absolute folders only, and names the bad settings', () => {
    expect(
      problems({
        IMPORT_FILE_ROOTS: '/srv/uploads,uploads',
        IMPORT_FILE_LAYOUT: 'per-user',
        IMPORT_FILE_URIS: 'yes',
        IMPORT_ALLOWED_HOSTS: 'https://files.example.com',
        IMPORT_ALLOW_PRIVATE_ADDRESSES: 'localhost',
      }).map((p) => p.split(':')[0]),
    ).toEqual([
      'IMPORT_FILE_URIS',
      'IMPORT_FILE_ROOTS',
      'IMPORT_FILE_LAYOUT',
      'IMPORT_ALLOWED_HOSTS',
      'IMPORT_ALLOW_PRIVATE_ADDRESSES',
    ]);
  });

  it('builds the locations: per-tenant by default, no https host unless listed', () => {
    const config = loadImportWorkerConfig({ ...base, IMPORT_FILE_ROOTS: ' /srv/a , /srv/b ' });
    expect(importLocationsFrom(config)).toEqual({
      files: { roots: ['/srv/a', '/srv/b'], layout: 'per-tenant' },
      https: { allowedHosts: [], allowPrivateAddresses: [] },
    });
    const off = loadImportWorkerConfig({
      ...base,
      IMPORT_FILE_URIS: 'off',
      IMPORT_FILE_ROOTS: '/srv/a',
      IMPORT_ALLOWED_HOSTS: 'files.example.com,*.uploads.example.se',
    });
    expect(importLocationsFrom(off)).toEqual({
      https: {
        allowedHosts: ['files.example.com', '*.uploads.example.se'],
        allowPrivateAddresses: [],
      },
    });
  });
});
