import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ImportFileError } from './import-file-error';
import { XLSX_WORKER_SOURCE } from './xlsx-worker-source';

export interface XlsxLimits {
  maxRows: number;
  /** Heap of the reading thread; a workbook that needs more fails the import. */
  maxMemoryMb: number;
  timeoutMs: number;
}

interface WorkerMessage {
  rows?: string[][];
  done?: boolean;
  error?: string;
}

// Resolved from the working directory: inside a webpack bundle require.resolve is webpack's.
const exceljsPath = () => createRequire(join(process.cwd(), 'package.json')).resolve('exceljs');

/** Every non-empty row of the first sheet, header first, read in a worker thread. */
export async function* xlsxRows(path: string, limits: XlsxLimits): AsyncGenerator<string[]> {
  const worker = new Worker(XLSX_WORKER_SOURCE, {
    eval: true,
    workerData: { path, maxRows: limits.maxRows, exceljs: exceljsPath() },
    resourceLimits: { maxOldGenerationSizeMb: limits.maxMemoryMb, maxYoungGenerationSizeMb: 32 },
  });
  const inbox: (WorkerMessage | ImportFileError)[] = [];
  let wake: (() => void) | undefined;
  const deliver = (item: WorkerMessage | ImportFileError) => {
    inbox.push(item);
    wake?.();
  };
  worker.on('message', (message: WorkerMessage) => deliver(message));
  worker.on('error', (error: Error & { code?: string }) =>
    deliver(
      error.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? new ImportFileError(
            'too_large',
            `the workbook needs more than ${limits.maxMemoryMb} MB to read`,
          )
        : unreadable(error.message),
    ),
  );
  worker.on('exit', () => deliver(unreadable('the workbook reader stopped')));
  const timer = setTimeout(() => {
    deliver(
      new ImportFileError(
        'time_limit',
        `reading the workbook took longer than ${limits.timeoutMs} ms`,
      ),
    );
  }, limits.timeoutMs);
  try {
    for (;;) {
      const item = inbox.shift() ?? (await new Promise<void>((r) => (wake = r)), inbox.shift());
      if (!item) continue;
      if (item instanceof ImportFileError) throw item;
      if (item.error === 'TOO_MANY_ROWS')
        throw new ImportFileError('too_large', `the sheet has more than ${limits.maxRows} rows`);
      if (item.error) throw unreadable(item.error);
      for (const row of item.rows ?? []) yield row;
      if (item.done) return;
      worker.postMessage('more');
    }
  } finally {
    clearTimeout(timer);
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
}

function unreadable(reason: string): ImportFileError {
  return new ImportFileError('unreadable_format', `the XLSX file cannot be read: ${reason}`);
}
