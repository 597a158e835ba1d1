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

/** Log keys whose values are addresses: masked, never written whole. */
export const EMAIL_LOG_PATHS = [
  'email',
  '*.email',
  '*.*.email',
  'users[*].email',
  '*.users[*].email',
  '*.*.users[*].email',
];

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

// Loose on purpose: anything shaped like an address in free text is masked.
const ADDRESS_IN_TEXT = /[^\s<>"'(),;:@]+@[^\s<>"'(),;:@]+\.[^\s<>"'(),;:@]+/g;

// Deep enough for a driver's errors (a bulk write's err.writeErrors[0].err.op.u.$set.email is
// eight levels down); what lies deeper is dropped, never passed on unmasked.
const MAX_DEPTH = 12;

/** Masks every address found in strings anywhere inside a value (error messages, SMTP replies). */
export function maskEmailsIn(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return value.replace(ADDRESS_IN_TEXT, (a) => maskEmail(a));
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => maskEmailsIn(v, depth + 1, seen));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, maskEmailsIn(v, depth + 1, seen)]),
  );
}
