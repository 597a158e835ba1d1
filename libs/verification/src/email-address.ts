import isEmail from 'validator/lib/isEmail';

// What an SMTP server accepts: a dotted domain with a TLD, no IP literals, UTF-8 local parts
// and IDN domains allowed (RFC 6531), `+` tags allowed, RFC 5321 length limits enforced.
const OPTIONS = {
  allow_utf8_local_part: true,
  require_tld: true,
  allow_ip_domain: false,
  allow_display_name: false,
  ignore_max_length: false,
} as const;

/**
 * The address as it will be saved and mailed, or undefined when it is not one. Surrounding
 * whitespace (pasted from a spreadsheet) is dropped; the domain is lower-cased because domains
 * are case-insensitive, the local part is kept as typed because it need not be.
 */
export function normalizeEmail(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (!isEmail(trimmed, OPTIONS)) return undefined;
  const at = trimmed.lastIndexOf('@');
  return `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}

/** Whether two saved addresses name the same mailbox, as people and mail systems treat them. */
export function sameAddress(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}
