/**
 * One UserImportUploaded of a large file, end to end, once as CSV and once as XLSX: the import
 * worker runs as its own process on the local stack. Prints the time from the upload to
 * UserImportCompleted and the worker's peak resident memory. See bench/README.md.
 *
 *   node -r @swc-node/register bench/import.bench.ts [--rows 100000] [--timeout-s 3600]
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ImportWorkerRun, writeImportFile, type ImportFormat } from './support/import-files';
import { BENCH_STACK, resolveStackEnv, type StackEnv } from './support/stack';

const RESULTS_DIR = join(__dirname, 'results');

interface Run {
  format: ImportFormat;
  fileMb: number;
  seconds: number;
  rowsPerSecond: number;
  workerPeakRssMb: number;
  completion: Record<string, unknown> | undefined;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '100000' },
      'timeout-s': { type: 'string', default: '3600' },
    },
  });
  const rows = Number(values.rows);
  const timeoutMs = Number(values['timeout-s']) * 1000;
  const stack = resolveStackEnv(process.env, BENCH_STACK);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const folder = join(RESULTS_DIR, 'import-files');
  mkdirSync(folder, { recursive: true });
  console.error(`[bench] writing ${rows}-row CSV and XLSX files`);
  const files = {
    csv: await writeImportFile(folder, 'csv', rows),
    xlsx: await writeImportFile(folder, 'xlsx', rows),
  };

  const runs: Run[] = [];
  for (const format of ['csv', 'xlsx'] as const)
    runs.push(await runImport(format, files[format], rows, stack, timeoutMs));
  const result = { date: new Date().toISOString(), rows, node: process.version, runs };
  writeFileSync(join(RESULTS_DIR, 'import.json'), `${JSON.stringify(result, null, 2)}\n`);
  for (const run of runs)
    console.log(
      `import of ${rows} rows (${run.format}, ${run.fileMb} MB): completed in ${run.seconds.toFixed(0)} s ` +
        `(${run.rowsPerSecond} rows/s), worker peak RSS ${run.workerPeakRssMb} MB`,
    );
  rmSync(folder, { recursive: true, force: true });
}

async function runImport(
  format: ImportFormat,
  path: string,
  rows: number,
  stack: StackEnv,
  timeoutMs: number,
): Promise<Run> {
  const worker = await ImportWorkerRun.start({
    stack,
    id: `import-${format}-${randomBytes(3).toString('hex')}`,
    logPath: join(RESULTS_DIR, `import-${format}-worker.log`),
    reportDir: join(RESULTS_DIR, 'import-reports'),
    uploadRoot: dirname(path),
    log: (line) => console.error(`[bench] ${line}`),
  });
  try {
    const window = await worker.upload(path, format, timeoutMs, (p) =>
      console.error(
        `[bench] ${format} ${p.seconds}s: ${p.applied}/${rows} rows applied, worker RSS ${p.rssMb} MB`,
      ),
    );
    const seconds = window.ms / 1000;
    return {
      format,
      fileMb: Math.round((statSync(path).size / 1024 / 1024) * 10) / 10,
      seconds,
      rowsPerSecond: Math.round(rows / seconds),
      workerPeakRssMb: Math.round(window.peakRssKb / 1024),
      completion: window.completion,
    };
  } finally {
    await worker.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
