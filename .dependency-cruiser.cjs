// The layers of docs/architecture.md, enforced on every import (`npm run lint:deps`, part of
// `npm test`). Each rule names the arrow it forbids; the document says why each arrow runs the
// way it does. Paths are matched after resolution, so `@app/<lib>` (tsconfig paths) and relative
// imports are judged alike.

const DOMAIN = '^libs/(verification|user-import)/';
// messaging is left to its own rule below, so that each wrong import is reported once.
const DOMAIN_MAY_USE = '^libs/(contracts|config|verification|user-import|messaging)/';
// Adapters that know no business rule: transport, mail, logs and metrics, import files.
const NEUTRAL_ADAPTERS = '^libs/(messaging|mail|observability|import-files)/';
const VIEWS = '^libs/(operations|pages)/';
// The shared service skeleton (logger, metrics, health, connections, shutdown): composition.
const SKELETON = '^libs/service-runtime/';
const TEST_CODE = ['\\.spec\\.ts$', '\\.e2e-spec\\.ts$', '/src/testing/'];
// The drivers of the outside world: only adapters (and the apps that wire them) touch them.
const DRIVERS =
  '(^|/)node_modules/(kafkajs|mongoose|mongodb|nodemailer|handlebars|pino|pino-http|nestjs-pino|prom-client|express|helmet|exceljs|@nestjs/[^/]+)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Files that import each other cannot be read, tested or replaced one at a time: move ' +
        'the shared part into a file of its own, or invert the dependency with a port.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-not-to-messaging',
      severity: 'error',
      comment:
        'The domain hands its events on as an OutboxBatch (the outbox port in @app/contracts); ' +
        'Kafka plumbing (@app/messaging) stays below the apps that wire it.',
      from: { path: DOMAIN },
      to: { path: '^libs/messaging/' },
    },
    {
      name: 'domain-only-contracts-and-config',
      severity: 'error',
      comment:
        'Domain libraries (verification, user-import) are plain rules over contracts and ' +
        'config: adapters implement their ports, never the other way round.',
      from: { path: DOMAIN },
      to: { path: '^(libs|apps|tools)/', pathNot: DOMAIN_MAY_USE },
    },
    {
      name: 'domain-not-to-drivers',
      severity: 'error',
      comment:
        'No broker, database, mail, HTTP or logging driver in the domain: it is tested without ' +
        'servers, and a driver can be swapped without touching a rule.',
      from: { path: DOMAIN },
      to: { path: DRIVERS },
    },
    {
      name: 'contracts-import-no-library',
      severity: 'error',
      comment:
        'Contracts and config are the ground floor: everything may import them, they import ' +
        'no other library (nor each other).',
      from: { path: '^libs/contracts/' },
      to: { path: '^(libs|apps|tools)/', pathNot: '^libs/contracts/' },
    },
    {
      name: 'config-imports-no-library',
      severity: 'error',
      comment: 'Config is the ground floor beside contracts: it imports no other library.',
      from: { path: '^libs/config/' },
      to: { path: '^(libs|apps|tools)/', pathNot: '^libs/config/' },
    },
    {
      name: 'adapters-know-no-domain',
      severity: 'error',
      comment:
        'messaging, mail, observability and import-files serve any domain: they import only ' +
        'contracts, config and each other, never a domain library, persistence or a view.',
      from: { path: NEUTRAL_ADAPTERS },
      to: { path: `${DOMAIN}|^libs/(persistence|operations|pages)/` },
    },
    {
      name: 'persistence-renders-nothing',
      severity: 'error',
      comment:
        'persistence implements the ports of the domain, of the operator views and of messaging ' +
        'on MongoDB; it renders no page or mail and reads no import file.',
      from: { path: '^libs/persistence/' },
      to: { path: '^libs/(pages|mail|import-files)/' },
    },
    {
      name: 'views-not-to-persistence',
      severity: 'error',
      comment:
        'operations and pages turn read models into text and HTML; they declare the reads they ' +
        'need as ports and are fed by the app, never by the database directly.',
      from: { path: VIEWS },
      to: { path: '^libs/persistence/' },
    },
    {
      name: 'skeleton-only-for-apps-and-tools',
      severity: 'error',
      comment:
        'service-runtime composes adapters into a running service; only apps, tools and tests ' +
        'use it, so no library below depends on how a process is started.',
      from: { path: '^libs/', pathNot: SKELETON },
      to: { path: SKELETON },
    },
    {
      name: 'skeleton-knows-no-domain',
      severity: 'error',
      comment:
        'The skeleton is the same for every app: what is particular to one (its use cases, ' +
        'views and pages) is wired by that app.',
      from: { path: SKELETON },
      to: { path: `${DOMAIN}|${VIEWS}` },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      comment:
        'Libraries are below the apps and tools that compose them: what two apps share ' +
        'belongs in a library.',
      from: { path: '^libs/' },
      to: { path: '^(apps|tools|chaos|bench)/' },
    },
    {
      name: 'apps-not-to-other-apps',
      severity: 'error',
      comment: 'Each app is composed on its own; what two apps share belongs in a library.',
      from: { path: '^apps/([^/]+)/', pathNot: TEST_CODE },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'production-not-to-test-code',
      severity: 'error',
      comment:
        'Nothing that ships imports test/, bench/, chaos/ or a testing/ helper: test code may ' +
        'fake, seed and bypass checks.',
      from: { path: '^(apps|libs|tools)/', pathNot: TEST_CODE },
      to: { path: ['^(test|bench|chaos)/', '/src/testing/'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to no file: a typo, a missing package or a stale alias.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'production-not-to-dev-dependencies',
      severity: 'error',
      comment:
        'Shipped code (apps and libs) must not need a devDependency: the image installs only ' +
        'dependencies.',
      from: { path: '^(apps|libs)/', pathNot: TEST_CODE },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|\\.stack|test-artifacts)/' },
    // Type-only imports are dependencies of the design too (the outbox port is all types).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
