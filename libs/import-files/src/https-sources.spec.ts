import { addressRefusal, isHostAllowed, isHostPattern } from './https-sources';

describe('addresses an https:// upload may be fetched from', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.1.1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    // IPv4 written as IPv6 is judged as the IPv4 address it is.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:7f00:1', 'loopback'],
    // NAT64 and 6to4 can carry an internal IPv4 address.
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
  ])('refuses %s (%s)', (address, range) => {
    expect(addressRefusal(address)).toBe(`an address that is not public (${range})`);
  });

  it.each(['169.254.169.254', 'fd00:ec2::254', '::ffff:169.254.169.254'])(
    'refuses the cloud metadata address %s, even when listed as allowed',
    (address) => {
      expect(addressRefusal(address, [address, '169.254.169.254', 'fd00:ec2::254'])).toBe(
        'a cloud metadata address',
      );
    },
  );

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'allows the public address %s',
    (address) => {
      expect(addressRefusal(address)).toBeUndefined();
    },
  );

  it('allows a listed private address exactly, in any spelling, and nothing beside it', () => {
    expect(addressRefusal('127.0.0.1', ['127.0.0.1'])).toBeUndefined();
    expect(addressRefusal('::ffff:127.0.0.1', ['127.0.0.1'])).toBeUndefined();
    expect(addressRefusal('127.0.0.2', ['127.0.0.1'])).toMatch(/loopback/);
    expect(addressRefusal('::1', ['127.0.0.1'])).toMatch(/loopback/);
    expect(addressRefusal('0:0:0:0:0:0:0:1', ['::1'])).toBeUndefined();
  });

  it('refuses what is not an IP address', () => {
    expect(addressRefusal('localhost')).toBe('an address that is not an IP address');
  });
});

describe('hosts an https:// upload may name (IMPORT_ALLOWED_HOSTS)', () => {
  const list = ['files.example.com', '*.uploads.example.se', '127.0.0.1', '[::1]'];

  it.each([
    ['files.example.com', true],
    ['FILES.example.com', true],
    ['a.uploads.example.se', true],
    ['a.b.uploads.example.se', true],
    ['127.0.0.1', true],
    ['[::1]', true],
    ['uploads.example.se', false],
    ['xuploads.example.se', false],
    ['files.example.com.evil.example', false],
    ['evilfiles.example.com', false],
    ['example.com', false],
    ['127.0.0.2', false],
  ])('%s: %s', (host, allowed) => {
    expect(isHostAllowed(host, list)).toBe(allowed);
  });

  it('allows nothing when the list is empty', () => {
    expect(isHostAllowed('files.example.com', [])).toBe(false);
  });

  it.each([
    ['files.example.com', true],
    ['*.example.com', true],
    ['127.0.0.1', true],
    ['::1', true],
    ['[::1]', true],
    ['https://files.example.com', false],
    ['files.example.com:443', false],
    ['files.example.com/x', false],
    ['Files.Example.com', false],
    ['*', false],
    ['*.127.0.0.1', false],
    ['a.*.example.com', false],
  ])('a setting of %s is valid: %s', (pattern, valid) => {
    expect(isHostPattern(pattern)).toBe(valid);
  });
});
