// Holds .dependency-cruiser.cjs to its word: on a small tree with one wrong import per rule,
// every rule reports exactly its own, and the arrows docs/architecture.md allows pass. A rule
// whose pattern stops matching (a renamed folder, an exclude too wide) would otherwise pass
// `npm run lint:deps` on any code. Runs the real CLI (dependency-cruiser needs Node 22+).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const root = join(__dirname, '..');
const LIBS = [
  'contracts',
  'config',
  'messaging',
  'persistence',
  'verification',
  'user-import',
  'mail',
  'pages',
  'operations',
  'service-runtime',
];

/** file -> source; each wrong import is named after the rule that must catch it. */
const TREE: Record<string, string> = {
  'libs/contracts/src/index.ts': 'export const contract = 1;\n',
  'libs/config/src/index.ts': 'export const setting = 1;\n',
  'libs/messaging/src/index.ts':
    "import { contract } from '@app/contracts';\nexport const m = contract;\n",
  'libs/verification/src/index.ts': "export * from './rules';\n",
  'libs/verification/src/rules.ts':
    "import { contract } from '@app/contracts';\nimport { setting } from '@app/config';\nexport const rule = contract + setting;\n",
  'libs/verification/src/rules.spec.ts': "import '../../../test/support/helper';\n",
  'libs/user-import/src/index.ts':
    "import { rule } from '@app/verification';\nexport const row = rule;\n",
  'libs/persistence/src/index.ts':
    "import { rule } from '@app/verification';\nimport { m } from '@app/messaging';\nexport const repo = rule + m;\n",
  'libs/operations/src/index.ts':
    "import { rule } from '@app/verification';\nexport const view = rule;\n",
  'libs/pages/src/index.ts': 'export const page = 1;\n',
  'libs/mail/src/index.ts': 'export const mail = 1;\n',
  'libs/service-runtime/src/index.ts':
    "import { repo } from '@app/persistence';\nexport const run = repo;\n",
  'apps/worker/src/main.ts':
    "import { run } from '@app/service-runtime';\nimport { view } from '@app/operations';\nexport const main = [run, view];\n",
  'apps/page/src/main.ts': 'export const page = 1;\n',
  'test/support/helper.ts':
    "import { main } from '../../apps/worker/src/main';\nexport const h = main;\n",
  // The wrong ones:
  'libs/verification/src/uses-messaging.ts':
    "import { m } from '@app/messaging';\nexport const x = m;\n",
  'libs/verification/src/uses-persistence.ts':
    "import { repo } from '@app/persistence';\nexport const x = repo;\n",
  'libs/verification/src/uses-driver.ts':
    "import type { Kafka } from 'kafkajs';\nexport type K = Kafka;\n",
  'libs/contracts/src/uses-config.ts':
    "import { setting } from '@app/config';\nexport const x = setting;\n",
  'libs/mail/src/uses-verification.ts':
    "import { rule } from '@app/verification';\nexport const x = rule;\n",
  'libs/operations/src/uses-persistence.ts':
    "import { repo } from '@app/persistence';\nexport const x = repo;\n",
  'libs/pages/src/uses-runtime.ts':
    "import { run } from '@app/service-runtime';\nexport const x = run;\n",
  'libs/mail/src/uses-app.ts':
    "import { main } from '../../../apps/worker/src/main';\nexport const x = main;\n",
  'apps/page/src/uses-other-app.ts':
    "import { main } from '../../worker/src/main';\nexport const x = main;\n",
  'apps/page/src/uses-test.ts':
    "import { h } from '../../../test/support/helper';\nexport const x = h;\n",
  'libs/mail/src/uses-dev-dependency.ts':
    "import { z } from 'zod';\nimport { simpleParser } from 'mailparser';\nexport const x = [z, simpleParser];\n",
  'libs/mail/src/cycle-a.ts': "import { b } from './cycle-b';\nexport const a = () => b;\n",
  'libs/mail/src/cycle-b.ts': "import { a } from './cycle-a';\nexport const b = () => a;\n",
  'libs/mail/src/uses-nothing.ts': "import { gone } from './not-there';\nexport const x = gone;\n",
};

const EXPECTED = [
  'domain-not-to-messaging: libs/verification/src/uses-messaging.ts -> libs/messaging/src/index.ts',
  'domain-only-contracts-and-config: libs/verification/src/uses-persistence.ts -> libs/persistence/src/index.ts',
  'contracts-import-no-library: libs/contracts/src/uses-config.ts -> libs/config/src/index.ts',
  'adapters-know-no-domain: libs/mail/src/uses-verification.ts -> libs/verification/src/index.ts',
  'views-not-to-persistence: libs/operations/src/uses-persistence.ts -> libs/persistence/src/index.ts',
  'skeleton-only-for-apps-and-tools: libs/pages/src/uses-runtime.ts -> libs/service-runtime/src/index.ts',
  'libs-never-import-apps: libs/mail/src/uses-app.ts -> apps/worker/src/main.ts',
  'apps-not-to-other-apps: apps/page/src/uses-other-app.ts -> apps/worker/src/main.ts',
  'production-not-to-test-code: apps/page/src/uses-test.ts -> test/support/helper.ts',
  'no-circular: libs/mail/src/cycle-a.ts -> libs/mail/src/cycle-b.ts',
  'not-to-unresolvable: libs/mail/src/uses-nothing.ts -> ./not-there',
];

const resultSchema = z.object({
  summary: z.object({
    violations: z.array(
      z.object({ rule: z.object({ name: z.string() }), from: z.string(), to: z.string() }),
    ),
  }),
});

function writeTree(dir: string): void {
  for (const [file, source] of Object.entries(TREE)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), source);
  }
  const paths = Object.fromEntries(LIBS.map((lib) => [`@app/${lib}`, [`libs/${lib}/src`]]));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { baseUrl: './', strict: true, paths } }),
  );
  // The project's package.json and packages: npm imports resolve and are told dev from runtime.
  writeFileSync(join(dir, 'package.json'), readFileSync(join(root, 'package.json')));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

function cruise(dir: string): string[] {
  const cli = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
  const config = join(root, '.dependency-cruiser.cjs');
  const run = spawnSync(
    process.execPath,
    [cli, 'apps', 'libs', 'test', '--config', config, '--output-type', 'json'],
    { cwd: dir, encoding: 'utf8', timeout: 60_000 },
  );
  if (!run.stdout.trim().startsWith('{')) throw new Error(`depcruise failed: ${run.stderr}`);
  const { violations } = resultSchema.parse(JSON.parse(run.stdout)).summary;
  return violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

describe('the layer rules (.dependency-cruiser.cjs)', () => {
  let dir: string;
  let found: string[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'layer-rules-'));
    writeTree(dir);
    found = cruise(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports each deliberately wrong import under its own rule, and nothing else', () => {
    // npm packages resolve through the symlink to the project's node_modules, wherever it is.
    const npm = (rule: string) => found.filter((f) => f.startsWith(`${rule}:`));
    expect(npm('domain-not-to-drivers')).toEqual([
      expect.stringMatching(
        /^domain-not-to-drivers: libs\/verification\/src\/uses-driver\.ts -> \S*node_modules\/kafkajs\//,
      ),
    ]);
    const devDependency = npm('production-not-to-dev-dependencies');
    expect(devDependency).toEqual([
      expect.stringMatching(
        /^production-not-to-dev-dependencies: libs\/mail\/src\/uses-dev-dependency\.ts -> \S*node_modules\/mailparser\//,
      ),
    ]);
    const onNpm = [...npm('domain-not-to-drivers'), ...devDependency];
    expect(found.filter((f) => !onNpm.includes(f))).toEqual([...EXPECTED].sort());
  });

  it('lets the arrows of docs/architecture.md through', () => {
    const allowed = [
      'rules.ts',
      'rules.spec.ts',
      'user-import/src/index.ts',
      'persistence/src/index.ts',
    ];
    for (const file of allowed) expect(found.filter((f) => f.includes(`${file} ->`))).toEqual([]);
    expect(found.filter((f) => f.includes('apps/worker/src/main.ts ->'))).toEqual([]);
    expect(found.filter((f) => f.includes('test/support/helper.ts ->'))).toEqual([]);
  });
});
