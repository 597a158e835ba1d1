import { createHash } from 'node:crypto';

/**
 * The Message-ID of one logical send. Deterministic, so a redelivered event that sends the same
 * mail again yields the same Message-ID and the duplicate is detectable downstream. Hashed, so
 * the sendId (which may contain user ids) does not leak into mail headers.
 */
export function messageIdFor(sendId: string, domain: string): string {
  if (sendId === '') throw new TypeError('messageIdFor: sendId must not be empty');
  if (!/^[A-Za-z0-9.-]+$/.test(domain)) {
    throw new TypeError('messageIdFor: domain must be a host name (letters, digits, . and -)');
  }
  const hash = createHash('sha256').update(sendId, 'utf8').digest('hex').slice(0, 32);
  return `<${hash}@${domain}>`;
}
