import ipaddr from 'ipaddr.js';

/** Where `https://` uploads may come from. */
export interface HttpsSources {
  /** Exact host names, or `*.example.com` for any name below example.com (not itself). */
  allowedHosts: readonly string[];
  /**
   * Exact addresses allowed although they are not public (e.g. `127.0.0.1` for a test server).
   * Cloud metadata addresses stay refused.
   */
  allowPrivateAddresses?: readonly string[];
  /** Redirects followed, each checked like the first URL; default 3. */
  maxRedirects?: number;
}

// The instance metadata services of the clouds: refused even when listed as allowed.
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254', '169.254.170.2']);

/** `*.example.com` or a host name / IP literal, lower case, without scheme, port or path. */
export function isHostPattern(pattern: string): boolean {
  const name = pattern.startsWith('*.') ? pattern.slice(2) : pattern;
  if (ipaddr.isValid(unbracket(name))) return !pattern.startsWith('*.');
  return /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(
    name,
  );
}

export function isHostAllowed(hostname: string, patterns: readonly string[]): boolean {
  const host = unbracket(hostname.toLowerCase());
  return patterns.some((pattern) => {
    if (!pattern.startsWith('*.')) return host === unbracket(pattern);
    const suffix = pattern.slice(1);
    return host.endsWith(suffix) && host.length > suffix.length;
  });
}

/**
 * Why an address must not be fetched from, or undefined for a public unicast one. ipaddr.js
 * names the special ranges (loopback, private, linkLocal, carrierGradeNat, uniqueLocal,
 * multicast, unspecified, reserved, 6to4, teredo, ...); only `unicast` is public. An IPv4
 * address written as IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it is.
 */
export function addressRefusal(
  address: string,
  allowPrivate: readonly string[] = [],
): string | undefined {
  if (!ipaddr.isValid(address)) return 'an address that is not an IP address';
  const ip = canonical(address);
  if (METADATA_ADDRESSES.has(ip)) return 'a cloud metadata address';
  const range = ipaddr.process(address).range();
  if (range === 'unicast') return undefined;
  if (allowPrivate.some((allowed) => ipaddr.isValid(allowed) && canonical(allowed) === ip))
    return undefined;
  return `an address that is not public (${range})`;
}

export function canonical(address: string): string {
  return ipaddr.process(address).toString();
}

/** An IPv6 literal as URLs write it (`[::1]`), without the brackets. */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
