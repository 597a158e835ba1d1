import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { neutralizeFormula, writeReport } from './report-writer';

const folder = mkdtempSync(join(tmpdir(), 'import-report-'));

async function* rowsOf(rows: string[][]) {
  yield* rows;
}

describe('the report file (issue 18, finding 8)', () => {
  it.each([
    ' =1+1',
    '\n=HYPERLINK("x")',
    '\r\n+1',
    '  @SUM(A1)',
    '\u00a0-1',
    '=1',
    '+1',
    '-1',
    '@x',
  ])('makes %j text, also after leading whitespace (OWASP CSV injection)', (cell) =>
    expect(neutralizeFormula(cell)).toBe(`'${cell}`),
  );

  it.each(['\tx', '\rx'])('makes a cell starting with tab or CR text: %j', (cell) =>
    expect(neutralizeFormula(cell)).toBe(`'${cell}`),
  );

  it.each(['Åsa Öberg', 'a=b', 'x@example.se', '', ' plain '])('leaves %j as it is', (cell) =>
    expect(neutralizeFormula(cell)).toBe(cell),
  );

  it('quotes fields holding the separator, quotes or line breaks', async () => {
    const path = join(folder, 'quoted.csv');
    await writeReport(
      { format: 'csv', csv: { delimiter: ';', encoding: 'utf-8', bom: false } },
      path,
      rowsOf([['a;b', 'say "hi"', 'two\nlines', ' =1', 'cr\rx']]),
    );
    expect(readFileSync(path, 'utf8')).toBe(
      '\ufeff"a;b";"say ""hi""";"two\nlines";\' =1;"cr\rx"\r\n',
    );
  });

  it.each(['csv', 'xlsx'] as const)(
    'writes a %s report readable by its owner only, over an older report too',
    async (format) => {
      const path = join(folder, `report.${format}`);
      writeFileSync(path, 'an older report');
      chmodSync(path, 0o644);
      await writeReport(
        { format },
        path,
        rowsOf([
          ['User ID', 'Status'],
          ['u1', 'ok'],
        ]),
      );
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path).toString()).not.toBe('an older report');
      expect(readdirSync(folder).filter((name) => name.endsWith('.partial'))).toEqual([]);
    },
  );
});
