// The XLSX reader runs in a worker thread with its own heap limit, so a workbook that needs more
// memory than expected ends that thread, not the process. The heap limit alone is not enough:
// what the thread posts is copied into the parent's heap, so the thread also caps what it
// unpacks, what it keeps of the shared strings, each cell, each row's width and each batch.
// The code is a string because the apps are bundled by webpack, which would not ship a
// separate worker file; it loads exceljs from the path the parent resolved.
export const XLSX_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const zlib = require('node:zlib');
const caps = workerData.caps;

// Ends the thread with a cap's code; the parent turns it into the import's error.
function stop(error, detail) {
  parentPort.postMessage({ error, ...detail });
  process.exit(1);
}

// Every zip entry exceljs reads is inflated by unzipper through zlib.createInflateRaw; counting
// its output bounds a zip bomb before it fills the heap or the temporary folder (exceljs
// spools a sheet that precedes the shared strings to a file).
// zlib's exports are read-only but configurable, and the thread has its own copy of them.
let unzipped = 0;
const inflateRaw = zlib.createInflateRaw;
function countedInflateRaw(...args) {
  const stream = inflateRaw.apply(zlib, args);
  const push = stream.push;
  stream.push = function (chunk, encoding) {
    if (chunk) {
      unzipped += chunk.length;
      if (unzipped > caps.maxUnzippedBytes) stop('UNZIPPED_TOO_LARGE');
    }
    return push.call(this, chunk, encoding);
  };
  return stream;
}
Object.defineProperty(zlib, 'createInflateRaw', { value: countedInflateRaw, enumerable: true, configurable: true });
if (zlib.createInflateRaw !== countedInflateRaw) stop('DAMAGED');

const ExcelJS = require(workerData.exceljs);

// Shared strings as exceljs emits them; one longer than a cell may be is kept as null, so a
// cell that uses it fails without the string being held, let alone copied.
const strings = [];
let stringChars = 0;
function addSharedString(value) {
  const s = text(value);
  if (strings.length >= caps.maxSharedStrings) stop('SHARED_STRINGS_TOO_MANY');
  if (s.length > caps.maxCellChars) return strings.push(null);
  stringChars += s.length;
  if (stringChars > caps.maxSharedStringChars) stop('SHARED_STRINGS_TOO_LARGE');
  strings.push(s);
}

function text(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value.sharedString === 'number') {
    const s = strings[value.sharedString];
    if (s === null) throw new CellTooLong();
    return s === undefined ? '' : s;
  }
  if (Array.isArray(value.richText)) return value.richText.map((part) => text(part.text)).join('');
  if (typeof value.text === 'string') return value.text;
  if ('result' in value) return text(value.result);
  return '';
}

class CellTooLong extends Error {}

// The row's cells up to its last one, within the caps; cells without a value are not visited,
// so one styled at column XFD costs nothing.
function cellsOf(row) {
  const cells = [];
  row.eachCell((cell, column) => {
    let value;
    try {
      value = text(cell.value).trim();
    } catch (error) {
      if (error instanceof CellTooLong) stop('CELL_TOO_LONG', { row: row.number, column });
      throw error;
    }
    if (column > caps.maxColumns) {
      if (value === '') return;
      stop('TOO_MANY_COLUMNS', { row: row.number });
    }
    if (value.length > caps.maxCellChars) stop('CELL_TOO_LONG', { row: row.number, column });
    cells[column - 1] = value;
  });
  for (let i = 0; i < cells.length; i++) if (cells[i] === undefined) cells[i] = '';
  return cells;
}

let more = () => {};
parentPort.on('message', () => more());
const nextBatchWanted = () => new Promise((resolve) => { more = resolve; });

async function readSheet(sheet) {
  let batch = [];
  let batchChars = 0;
  let rows = 0;
  let empty = 0;
  for await (const row of sheet) {
    const cells = cellsOf(row);
    if (cells.every((cell) => cell === '')) {
      // Skipped, but counted: a million empty rows are a file built to keep the reader busy.
      if (++empty > caps.maxEmptyRows) stop('TOO_MANY_EMPTY_ROWS');
      continue;
    }
    if (++rows > caps.maxRows) stop('TOO_MANY_ROWS');
    batch.push(cells);
    for (const cell of cells) batchChars += cell.length;
    if (batch.length >= 500 || batchChars >= caps.maxBatchChars) {
      parentPort.postMessage({ rows: batch });
      batch = [];
      batchChars = 0;
      await nextBatchWanted();
    }
  }
  parentPort.postMessage({ rows: batch, done: true });
}

async function main() {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(workerData.path, {
    sharedStrings: 'emit', hyperlinks: 'ignore', styles: 'ignore', worksheets: 'emit', entries: 'ignore',
  });
  for await (const item of reader.parse()) {
    // exceljs 4.4 yields a shared string as { index, text }, without an event type.
    if (item.eventType === 'shared-strings') addSharedString(item.value.text);
    else if (item.eventType === 'worksheet') return readSheet(item.value);
    else if (typeof item.index === 'number') addSharedString(item.text);
  }
  parentPort.postMessage({ rows: [], done: true });
}

// Parser messages quote the file ("Unexpected close tag ... Char: x"): only the kind is sent.
main().catch(() => stop('DAMAGED'));
`;
