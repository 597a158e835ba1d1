// The index of the seed's rules (libs/verification/README.md) against the code: every home it
// names exists, and every rule R1-R9 is the name of at least one test, so that a newcomer who
// looks a rule up finds both the file that decides it and the tests that hold it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const INDEX = 'libs/verification/README.md';
const RULES = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'R9'];

/** The table rows of the index: the rule and the paths in its Home and Also-read cells. */
function indexRows(): { rule: string; paths: string[] }[] {
  return readFileSync(join(ROOT, INDEX), 'utf8')
    .split('\n')
    .filter((line) => /^\| R\d /.test(line))
    .map((line) => ({
      rule: /^\| (R\d)/.exec(line)?.[1] ?? '',
      paths: [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.split(' ')[0]!),
    }));
}

/** A path of the index, relative to libs/verification unless it names another top folder. */
function resolveIndexPath(path: string): string {
  return /^(libs|apps|tools)\//.test(path)
    ? join(ROOT, path)
    : join(ROOT, 'libs/verification', path);
}

/** The titles of every describe/it/test of the project's spec files. */
function testTitles(): string[] {
  const files = execFileSync('git', ['ls-files', '*.spec.ts', '*.e2e-spec.ts'], { cwd: ROOT })
    .toString()
    .split('\n')
    .filter(Boolean);
  return files.flatMap((file) =>
    [
      ...readFileSync(join(ROOT, file), 'utf8').matchAll(/\b(?:describe|it|test)\(\s*'([^']+)'/g),
    ].map((m) => m[1]!),
  );
}

describe('the rule index (libs/verification/README.md)', () => {
  it('lists each of R1-R9 once', () => {
    expect(indexRows().map((r) => r.rule)).toEqual(RULES);
  });

  it('names only files and folders that exist', () => {
    const missing = indexRows()
      .flatMap((r) => r.paths)
      .filter((p) => p.includes('/'))
      .filter((p) => !existsSync(resolveIndexPath(p)));
    expect(missing).toEqual([]);
  });

  it('has tests named after every rule ("R6: ..." or "R2, R3: ...")', () => {
    const named = new Set(
      testTitles().flatMap((title) => /^(R\d(?:, R\d)*): /.exec(title)?.[1]?.split(', ') ?? []),
    );
    expect(RULES.filter((rule) => !named.has(rule))).toEqual([]);
  });
});
