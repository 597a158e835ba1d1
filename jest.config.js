// Two projects: `unit` (pure logic, *.spec.ts beside the code, no servers) and
// `e2e` (test/**/*.e2e-spec.ts, real Kafka, MongoDB and SMTP started by
// test/support/global-setup.ts).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
  },
];
// Nest 12 and uuid 14 ship only ES modules. Jest requires them natively only
// under --experimental-vm-modules on Node 24.9+, so they are compiled to CommonJS like our code.
const esmOnly = ['@nestjs', 'uuid'];
const swcJs = ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' } }];
const moduleNameMapper = {
  '^@app/(contracts|config|messaging|persistence|observability|verification|mail|pages|user-import|import-files|operations|service-runtime)(|/.*)$':
    '<rootDir>/libs/$1/src$2',
};
const common = {
  transform: { '^.+\\.ts$': swc, '^.+\\.js$': swcJs },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testEnvironment: 'node',
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools', '<rootDir>/test/support'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      // Logs held back and printed only under a failed test (TEST_LOGS=1 prints them live).
      testEnvironment: '<rootDir>/test/support/quiet-environment.ts',
      setupFilesAfterEnv: [
        '<rootDir>/test/support/e2e-setup.ts',
        '<rootDir>/test/support/quiet-logs.ts',
      ],
    },
  ],
};
