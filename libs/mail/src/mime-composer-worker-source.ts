// A composing thread: MIME messages built off the event loop that also runs the consumers, the
// database writes and the SMTP connections. The code is a string because the apps are bundled
// by webpack, which would not ship a separate worker file; it loads nodemailer's MailComposer
// from the path the parent resolved (as the XLSX reader loads exceljs).
//
// In: batches of { id, message }. Out: one batch of { id, raw, envelope } or { id, error } per
// batch in, each raw message's bytes transferred, not copied.
export const MIME_COMPOSER_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const MailComposer = require(workerData.mailComposer);

// A buffer of its own: a slice of Node's shared pool must not be transferred (or transferred twice).
function ownBytes(buffer) {
  if (buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength) return buffer.buffer;
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
}

async function compose({ id, message }) {
  let node;
  try {
    node = new MailComposer(message).compile();
  } catch (error) {
    return { id, error: String((error && error.message) || error) };
  }
  const { from, to } = node.getEnvelope();
  const raw = ownBytes(await node.build());
  return { id, raw, envelope: { from, to } };
}

parentPort.on('message', async (batch) => {
  const results = [];
  for (const task of batch) {
    try {
      results.push(await compose(task));
    } catch (error) {
      results.push({ id: task.id, error: String((error && error.message) || error) });
    }
  }
  parentPort.postMessage(results, results.flatMap((r) => (r.raw ? [r.raw] : [])));
});
`;
