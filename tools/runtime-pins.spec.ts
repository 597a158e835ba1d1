// Checks what the containers and CI run on, by reading the files (nothing here builds images):
// one supported Node release in the Dockerfile, `engines` and ensure-node.sh; every compose
// image pinned; every app with a health check that really probes its readiness endpoint.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { readComposeFile } from './compose-file';
import { z } from 'zod';
import { HealthServer } from '@app/observability';
import { APP_NODE_OPTIONS, IMPORT_WORKER_NODE_OPTIONS } from '../test/support/worker-process';
import { loadConsoleConfig } from '../apps/ops-console/src/config';
import { loadImportWorkerConfig } from '../apps/import-worker/src/config';
import { loadPageConfig } from '../apps/verification-page/src/config';
import { loadWorkerConfig } from '../apps/verification-worker/src/config';

const ROOT = join(__dirname, '..');
const readText = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** Node release lines with their end of life (nodejs.org/about/previous-releases). */
const LTS_END_OF_LIFE: Readonly<Record<number, string>> = {
  24: '2028-04-30',
  26: '2029-04-30',
};

const compose = readComposeFile();

const HEALTH_PORT_OF: Readonly<Record<string, (env: Record<string, string>) => number>> = {
  'verification-worker': (env) => loadWorkerConfig(env).HEALTH_PORT,
  'verification-page': (env) => loadPageConfig(env).HEALTH_PORT,
  'import-worker': (env) => loadImportWorkerConfig(env).HEALTH_PORT,
  'ops-console': (env) => loadConsoleConfig(env).HEALTH_PORT,
};

const appServices = Object.entries(compose.services).flatMap(([name, s]) =>
  s.build?.args.APP ? [{ name, app: s.build.args.APP, service: s }] : [],
);

const stringEnv = (env: Record<string, string | number | boolean> = {}) =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));

describe('the Node release', () => {
  const image = /^ARG NODE_IMAGE=node:(\d+)\.(\d+)\.(\d+)-bookworm-slim$/m.exec(
    readText('Dockerfile'),
  );
  const installed = /^version=(\d+)\.(\d+)\.(\d+)$/m.exec(readText('infra/local/ensure-node.sh'));
  const engines = z
    .object({ engines: z.object({ node: z.string() }) })
    .parse(JSON.parse(readText('package.json'))).engines.node;

  it('is one exact release in the Dockerfile and in what CI installs', () => {
    expect(image?.slice(1)).toEqual(installed?.slice(1));
  });

  it('is a line still supported, and the only major `engines` admits', () => {
    const major = Number(image?.[1]);
    const endOfLife = LTS_END_OF_LIFE[major];
    expect(endOfLife).toBeDefined();
    expect(new Date(`${endOfLife ?? ''}T00:00:00Z`).getTime()).toBeGreaterThan(Date.now());
    expect(engines).toBe(`>=${major}.11 <${major + 1}`);
  });
});

describe('the Node options the apps run with', () => {
  it('are the same in the image, in npm start and in the launcher of the tests and benchmarks', () => {
    const image = /NODE_OPTIONS=(\S+)/.exec(readText('Dockerfile'))?.[1];
    const start = /NODE_OPTIONS="\$\{NODE_OPTIONS:-([^}]+)\}"/.exec(
      readText('infra/local/run-pipeline.sh'),
    )?.[1];
    expect(image).toBe(APP_NODE_OPTIONS);
    expect(start).toBe(APP_NODE_OPTIONS);
  });

  it("are the import worker's, with its heap cap, in docker-compose.yml and npm start", () => {
    expect(compose.services['import-worker']?.environment?.NODE_OPTIONS).toBe(
      IMPORT_WORKER_NODE_OPTIONS,
    );
    const start =
      /NODE_OPTIONS="\$NODE_OPTIONS ([^"]+)"\s*\\\s*node dist\/apps\/import-worker/.exec(
        readText('infra/local/run-pipeline.sh'),
      )?.[1];
    expect(`${APP_NODE_OPTIONS} ${start ?? ''}`).toBe(IMPORT_WORKER_NODE_OPTIONS);
  });
});

describe('docker-compose.yml, images and health checks', () => {
  it('pins every image to an exact version', () => {
    const images = Object.entries(compose.services).flatMap(([name, s]) =>
      s.image ? [`${name} ${s.image}`] : [],
    );
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image).toMatch(/:v?\d+\.\d+\.\d+$/);
  });

  it.each(appServices.map((a) => [a.name, a]))(
    '%s has a health check on the HEALTH_PORT its config reads',
    (_name, { app, service }) => {
      const load = HEALTH_PORT_OF[app];
      if (!load) throw new Error(`no config loader for app ${app}; add it to HEALTH_PORT_OF`);
      const env = stringEnv(service.environment);
      expect(env.HEALTH_PORT).toBeDefined();
      expect(load(env)).toBe(Number(env.HEALTH_PORT));
      expect(service.healthcheck?.test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    },
  );

  describe('the apps’ health check command', () => {
    const script = appServices[0]?.service.healthcheck?.test[3] ?? '';
    let up = true;
    const server = new HealthServer(
      { kafka: () => Promise.resolve(up) },
      pino({ level: 'silent' }),
    );
    let port = 0;
    beforeAll(async () => {
      port = await server.start(0);
    });
    afterAll(() => server.stop());

    const probe = (env: NodeJS.ProcessEnv) =>
      promisify(execFile)(process.execPath, ['-e', script], { env, timeout: 10_000 }).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );

    it('passes while the app is ready and fails while a dependency is down', async () => {
      up = true;
      expect(await probe({ HEALTH_PORT: String(port) })).toBe(0);
      up = false;
      expect(await probe({ HEALTH_PORT: String(port) })).toBe(1);
    });
  });
});
