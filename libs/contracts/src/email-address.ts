import { toASCII, toUnicode, type ToASCIIOptions } from 'tr46';
import { z } from 'zod';

/**
 * The one address rule of the product: imports, VerificationRequested, and the contract's
 * address fields all apply it, so that what one step accepts no later step refuses or reads
 * differently. It accepts what a person types as an address and nothing an attacker could use
 * to make a mail go elsewhere than the address shown (quoted local parts holding `@`, CR/LF,
 * invisible characters that UTS-46 silently drops or maps).
 */
export const EMAIL_ADDRESS_RULE =
  'an address as a person types it: an ASCII dot-atom local part of at most 64 characters, ' +
  'a domain valid under UTS-46 (IDNA2008, non-transitional) with an alphabetic or xn-- TLD, ' +
  'at most 254 characters in its normalised form (domain as lower-case A-labels, xn--...)';

/** RFC 5321 forward-path limit (256) less the angle brackets. */
export const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;

/**
 * The most an address field may carry as typed (spaces pasted around it included) where a bad
 * address is one user's `invalid_email`, not a refused message: longer input cannot normalise
 * to MAX_EMAIL_LENGTH, so it is refused before any Unicode work.
 */
export const MAX_TYPED_EMAIL_LENGTH = 2 * MAX_EMAIL_LENGTH;

// RFC 5322 dot-atom over atext: no quoted strings, comments, spaces or non-ASCII (so no
// SMTPUTF8 local parts: few mailboxes have one and each is an escape hatch for lookalikes).
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

// Every delegated TLD is letters or an A-label; an all-numeric last label is an IPv4 address.
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

// tr46 7 spells UTS-46 "nontransitional" processing as transitionalProcessing: false.
const UTS46: ToASCIIOptions = {
  checkBidi: true,
  checkHyphens: true,
  checkJoiners: true,
  useSTD3ASCIIRules: true,
  transitionalProcessing: false,
  verifyDNSLength: true,
};

/**
 * The address as it is saved, compared and mailed, or undefined when it is not one. Surrounding
 * whitespace (pasted from a spreadsheet) is dropped. The domain is stored as lower-case A-labels
 * (`anna@exämple.se` -> `anna@xn--exmple-cua.se`): pure ASCII, so the SMTP envelope, the header
 * and every event carry the very string that was checked, and no mail library maps it again.
 * The local part is kept as typed: it may be case-sensitive.
 */
export function normalizeEmail(raw: string): string | undefined {
  const trimmed = raw.trim();
  // Cheap bound before any Unicode work: no input this long normalises to 254 characters.
  if (trimmed.length > MAX_TYPED_EMAIL_LENGTH) return undefined;
  const at = trimmed.lastIndexOf('@');
  if (at < 1) return undefined;
  const local = trimmed.slice(0, at);
  if (local.length > MAX_LOCAL_PART_LENGTH || !DOT_ATOM.test(local)) return undefined;
  const domain = normalizeDomain(trimmed.slice(at + 1));
  if (!domain) return undefined;
  const address = `${local}@${domain}`;
  return address.length <= MAX_EMAIL_LENGTH ? address : undefined;
}

/** The A-label form of a domain with an alphabetic or A-label TLD, or undefined. */
function normalizeDomain(typed: string): string | undefined {
  const ascii = plainAscii(typed) ?? mappedUnchanged(typed);
  const labels = ascii?.split('.') ?? [];
  if (labels.length < 2 || !TLD.test(labels[labels.length - 1] ?? '')) return undefined;
  return ascii;
}

/**
 * The A-label form by UTS-46, or undefined. Its mapping silently drops or replaces some
 * characters (U+00AD soft hyphen and U+200B zero-width space vanish, fullwidth letters and
 * U+3002 become ASCII): a domain that reads as one name and routes to another. So beyond case
 * folding (and NFC, which changes nothing a reader sees) each label must already be in its
 * final form, either as typed in Unicode or as its A-label.
 */
function mappedUnchanged(typed: string): string | undefined {
  const ascii = toASCII(typed, UTS46);
  if (!ascii) return undefined;
  const unicode = toUnicode(ascii, UTS46);
  if (unicode.error) return undefined;
  const labels = ascii.split('.');
  const unicodeLabels = unicode.domain.split('.');
  const typedLabels = typed.normalize('NFC').toLowerCase().split('.');
  if (typedLabels.length !== labels.length) return undefined;
  const unchanged = typedLabels.every((l, i) => l === labels[i] || l === unicodeLabels[i]);
  return unchanged ? ascii : undefined;
}

// A letter-digit-hyphen label with no "--" in positions 3-4 (which would make it an A-label
// or a reserved one): for these UTS-46 is lower-casing alone.
const PLAIN_LABEL = /^(?!..--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The common case without the Unicode tables (a tenth of the cost): a domain of plain ASCII
 * labels, lower-cased; undefined sends every other domain through tr46. ASCII is checked before
 * lower-casing, which turns some non-ASCII letters into ASCII ones (U+212A Kelvin sign -> k).
 */
function plainAscii(typed: string): string | undefined {
  if (typed.length > 253 || !/^[\x21-\x7e]+$/.test(typed)) return undefined;
  const lower = typed.toLowerCase();
  return lower.split('.').every((label) => PLAIN_LABEL.test(label)) ? lower : undefined;
}

/**
 * Whether two saved addresses name the same mailbox, as people and mail systems treat them:
 * compared in normalised form (so `företag.se` and `xn--fretag-4ya.se` match) and without
 * regard to case. Something that is not an address matches nothing, not even itself.
 */
export function sameAddress(a: string | null | undefined, b: string | null | undefined): boolean {
  const left = a ? normalizeEmail(a) : undefined;
  const right = b ? normalizeEmail(b) : undefined;
  return !!left && !!right && left.toLowerCase() === right.toLowerCase();
}

/** A contract field holding an address: any input normalizeEmail accepts. */
export const emailAddress = (): z.ZodString =>
  z
    .string()
    .min(1, { abort: true })
    .max(MAX_EMAIL_LENGTH, { abort: true })
    .refine((value) => normalizeEmail(value) !== undefined, {
      message: 'must be an e-mail address: an ASCII local part without quotes, an IDNA2008 domain',
    });
