import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ImportFileError } from './import-file-error';
import {
  cellTooLong,
  DEFAULT_CELL_CHARS,
  DEFAULT_COLUMNS,
  tooManyColumns,
  tooManyRows,
  type SheetCaps,
} from './sheet-caps';
import { XLSX_WORKER_SOURCE } from './xlsx-worker-source';

export interface XlsxLimits extends Pick<SheetCaps, 'maxRows'> {
  /** Heap of the reading thread; a workbook that needs more fails the import. */
  maxMemoryMb: number;
  timeoutMs: number;
  maxCellChars?: number;
  maxColumns?: number;
  /** What all of the workbook's zip entries may inflate to together. */
  maxUnzippedMb?: number;
}

export const DEFAULT_UNZIPPED_MB = 256;

// Not settings: each follows from the caps above. One batch is at most this many characters
// (plus one row) in the parent's heap; the shared strings a sheet of allowed cells can use fit
// well inside the thread's default heap.
const MAX_BATCH_CHARS = 1_000_000;
const MAX_SHARED_STRINGS = 2_000_000;
const MAX_SHARED_STRING_CHARS = 64_000_000;

interface WorkerMessage {
  rows?: string[][];
  done?: boolean;
  error?: string;
  row?: number;
  column?: number;
}

// Resolved from the working directory: inside a webpack bundle require.resolve is webpack's.
const exceljsPath = () => createRequire(join(process.cwd(), 'package.json')).resolve('exceljs');

/** Every non-empty row of the first sheet, header first, read in a worker thread. */
export async function* xlsxRows(path: string, limits: XlsxLimits): AsyncGenerator<string[]> {
  const caps = workerCaps(limits);
  // exceljs spools sheets to temporary files; a folder of the thread's own is removed whole,
  // even when the thread is stopped half way through writing one.
  const spool = await mkdtemp(join(tmpdir(), 'xlsx-read-'));
  const worker = new Worker(XLSX_WORKER_SOURCE, {
    eval: true,
    workerData: { path, caps, exceljs: exceljsPath() },
    env: { ...process.env, TMPDIR: spool },
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
        : unreadable(),
    ),
  );
  worker.on('exit', () => deliver(unreadable()));
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
      if (item.error) throw capError(item, caps);
      for (const row of item.rows ?? []) yield row;
      if (item.done) return;
      worker.postMessage('more');
    }
  } finally {
    clearTimeout(timer);
    worker.removeAllListeners('exit');
    await worker.terminate();
    await rm(spool, { recursive: true, force: true });
  }
}

type WorkerCaps = ReturnType<typeof workerCaps>;

function workerCaps(limits: XlsxLimits) {
  return {
    maxRows: limits.maxRows,
    // Empty rows are skipped; more of them than a file may have rows is not a spreadsheet.
    maxEmptyRows: limits.maxRows,
    maxCellChars: limits.maxCellChars ?? DEFAULT_CELL_CHARS,
    maxColumns: limits.maxColumns ?? DEFAULT_COLUMNS,
    maxUnzippedBytes: (limits.maxUnzippedMb ?? DEFAULT_UNZIPPED_MB) * 1024 * 1024,
    maxBatchChars: MAX_BATCH_CHARS,
    maxSharedStrings: MAX_SHARED_STRINGS,
    maxSharedStringChars: MAX_SHARED_STRING_CHARS,
  };
}

function capError(message: WorkerMessage, caps: WorkerCaps): ImportFileError {
  const row = message.row ?? 0;
  switch (message.error ?? '') {
    case 'TOO_MANY_ROWS':
      return tooManyRows(caps.maxRows);
    case 'TOO_MANY_EMPTY_ROWS':
      return new ImportFileError(
        'too_large',
        `the sheet has more than ${caps.maxEmptyRows} empty rows`,
      );
    case 'CELL_TOO_LONG':
      return cellTooLong(row, message.column ?? 0, caps.maxCellChars);
    case 'TOO_MANY_COLUMNS':
      return tooManyColumns(row, caps.maxColumns);
    case 'UNZIPPED_TOO_LARGE':
      return new ImportFileError(
        'too_large',
        `the workbook unpacks to more than ${caps.maxUnzippedBytes / 1024 / 1024} MB`,
      );
    case 'SHARED_STRINGS_TOO_MANY':
      return new ImportFileError(
        'too_large',
        `the workbook has more than ${caps.maxSharedStrings} distinct texts`,
      );
    case 'SHARED_STRINGS_TOO_LARGE':
      return new ImportFileError(
        'too_large',
        `the workbook's texts hold more than ${caps.maxSharedStringChars} characters`,
      );
    default:
      return unreadable();
  }
}

// Describes, never quotes: a parser's message can carry the file's text.
function unreadable(): ImportFileError {
  return new ImportFileError(
    'unreadable_format',
    'the XLSX file cannot be read: it is damaged or not an Excel workbook',
  );
}
