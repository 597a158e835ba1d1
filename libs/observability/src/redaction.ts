/**
 * Shows enough of an address for a person to recognise it ("a***@e***.se") and no more.
 * Used in logs and on pages that must not reveal a whole address.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${first(local)}***@${first(host)}***${tld}`;
}

function first(s: string): string {
  return Array.from(s)[0] ?? '';
}

/** Log keys whose values are secrets: removed outright. */
export const SECRET_LOG_PATHS = [
  'token',
  '*.token',
  '*.*.token',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.cookie',
];

// Loose on purpose: anything shaped like an address in free text is masked, the whole run of
// non-separators before the "@" included ("to=anna@x.se" becomes "t***@x***.se"). A match
// starts only where a run starts (the lookbehind), which keeps the scan linear in the text: a
// long run without "@" is walked once, not once per character.
const ADDRESS_IN_TEXT = /(?<![^\s<>"'(),;:@])[^\s<>"'(),;:@]+@[^\s<>"'(),;:@]+\.[^\s<>"'(),;:@]+/g;

/** Masks every address inside free text: `"rejected anna@firma.se: in use"` → `"rejected a***@f***.se: in use"`. */
export function maskAddresses(text: string): string {
  return text.includes('@') ? text.replace(ADDRESS_IN_TEXT, (a) => maskEmail(a)) : text;
}

// Deep enough for a driver's errors (a bulk write's err.writeErrors[0].err.op.u.$set.email is
// eight levels down); what lies deeper is dropped, never passed on unmasked.
const MAX_DEPTH = 12;

/** Masks every address found in strings anywhere inside a value (error messages, SMTP replies). */
export function maskEmailsIn(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  return maskDeep(value, depth, MAX_DEPTH, seen);
}

// A log line is pino's own JSON: no cycles, and every level of it was worth writing.
const MAX_LOG_LINE_DEPTH = 64;

/**
 * Masks every address in one serialized log line, whatever its key or depth: the message,
 * child bindings, errors and their causes. Lines without an "@" (nearly all of them) pass
 * untouched; the others are parsed, masked value by value and key by key, and written again.
 */
export function maskLogLine(line: string): string {
  if (!line.includes('@')) return line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    // Not pino's JSON after all: masking the text may garble it, but never leaks it.
    return maskAddresses(line);
  }
  const end = line.endsWith('\n') ? '\n' : '';
  return JSON.stringify(maskDeep(parsed, 0, MAX_LOG_LINE_DEPTH, new WeakSet())) + end;
}

function maskDeep(value: unknown, depth: number, maxDepth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return maskAddresses(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > maxDepth) return '[too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1, maxDepth, seen));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      maskAddresses(k),
      // A value kept under "email" is an address even where it does not look like one.
      k === 'email' && typeof v === 'string' && v.includes('@')
        ? maskEmail(v)
        : maskDeep(v, depth + 1, maxDepth, seen),
    ]),
  );
}
