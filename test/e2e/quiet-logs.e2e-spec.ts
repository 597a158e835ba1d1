import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const fixtures = 'test/support/fixtures/quiet-logs';

function withoutSwitches(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rest = { ...env };
  delete rest.TEST_LOGS;
  delete rest.QUIET_LOGS_FIXTURE_FAIL;
  return rest;
}

/** jest over the noisy fixture, as `npm test` runs it: everything it printed, in order. */
function runFixture(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    ['node_modules/jest/bin/jest.js', '--ci', '--config', `${fixtures}/jest.config.js`],
    {
      cwd: root,
      env: { ...withoutSwitches(process.env), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code, output })));
}

describe('quiet test logs (issue 19, point 5)', () => {
  it('prints nothing a passing test logged: not pino lines, not console figures', async () => {
    const { code, output } = await runFixture({});
    expect(code).toBe(0);
    expect(output).toContain('Tests:       3 passed, 3 total');
    expect(output).not.toMatch(/line of the|a figure of|Log lines of/);
  });

  it("prints a failed test's own lines under its failure, masked, and no other test's", async () => {
    const { code, output } = await runFixture({ QUIET_LOGS_FIXTURE_FAIL: '1' });
    expect(code).toBe(1);
    const failure = output.slice(output.indexOf('● a noisy test file › logs and fails'));
    const logs = failure.slice(failure.indexOf('Log lines of this test (2):'));
    expect(logs).toMatch(/^Log lines of this test \(2\):\n\s*\{.*"msg":"line of the failing test"/);
    expect(logs).toContain('console.log: a figure of the failing test: 7 ms');
    expect(logs).toContain('"email":"a***@f***.se"');
    expect(logs).not.toContain('anna.svensson@');
    expect(failure.slice(0, failure.indexOf('● a noisy test file › fails without'))).not.toMatch(
      /line of the passing test|a figure of the passing test/,
    );
  });

  it("prints the file's earlier lines under a failed test that logged nothing itself", async () => {
    const { output } = await runFixture({ QUIET_LOGS_FIXTURE_FAIL: '1' });
    const failure = output.slice(output.indexOf('● a noisy test file › fails without logging'));
    expect(failure).toMatch(
      /Log lines of this test file before this test \(4\):\n\s*\{.*"msg":"line of the passing test"/,
    );
  });

  it('prints every line as it comes with TEST_LOGS=1', async () => {
    const { code, output } = await runFixture({ TEST_LOGS: '1' });
    expect(code).toBe(0);
    expect(output).toContain('"msg":"line of the passing test"');
    expect(output).toContain('a figure of the passing test: 42 ms');
  });
});
