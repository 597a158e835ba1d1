// The XLSX reader runs in a worker thread with its own heap limit, so a hostile workbook (a
// zip bomb, millions of shared strings) ends that thread, not the process. The code is a
// string because the apps are bundled by webpack, which would not ship a separate worker file;
// it loads exceljs from the path the parent resolved.
export const XLSX_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ExcelJS = require(workerData.exceljs);

function text(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (Array.isArray(value.richText)) return value.richText.map((part) => part.text).join('');
  if (typeof value.text === 'string') return value.text;
  if ('result' in value) return text(value.result);
  return '';
}

let more = () => {};
parentPort.on('message', () => more());
const nextBatchWanted = () => new Promise((resolve) => { more = resolve; });

async function main() {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(workerData.path, {
    sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', worksheets: 'emit', entries: 'emit',
  });
  let batch = [];
  let rows = 0;
  for await (const sheet of reader) {
    for await (const row of sheet) {
      const cells = [];
      row.eachCell({ includeEmpty: true }, (cell, column) => { cells[column - 1] = text(cell.value).trim(); });
      for (let i = 0; i < cells.length; i++) if (cells[i] === undefined) cells[i] = '';
      if (cells.every((cell) => cell === '')) continue;
      rows += 1;
      if (rows > workerData.maxRows) throw new Error('TOO_MANY_ROWS');
      batch.push(cells);
      if (batch.length >= 500) {
        parentPort.postMessage({ rows: batch });
        batch = [];
        await nextBatchWanted();
      }
    }
    break;
  }
  parentPort.postMessage({ rows: batch, done: true });
}

main().catch((error) => parentPort.postMessage({ error: String(error && error.message || error) }));
`;
