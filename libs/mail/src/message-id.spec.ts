import { messageIdFor } from '.';

describe('messageIdFor', () => {
  it('is deterministic: the same send always has the same Message-ID', () => {
    expect(messageIdFor('req-1/user-7', 'connect-provisioning.local')).toBe(
      messageIdFor('req-1/user-7', 'connect-provisioning.local'),
    );
  });

  it('is the first 32 hex digits of sha256(sendId) at the domain, in angle brackets', () => {
    // sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
    expect(messageIdFor('abc', 'example.se')).toBe('<ba7816bf8f01cfea414140de5dae2223@example.se>');
  });

  it('differs between sends and between domains', () => {
    const ids = new Set([
      messageIdFor('req-1/user-7', 'a.example'),
      messageIdFor('req-1/user-8', 'a.example'),
      messageIdFor('req-2/user-7', 'a.example'),
      messageIdFor('req-1/user-7', 'b.example'),
    ]);
    expect(ids.size).toBe(4);
  });

  it('refuses an empty sendId and a domain that would break the header', () => {
    expect(() => messageIdFor('', 'example.se')).toThrow(/sendId/);
    expect(() => messageIdFor('x', 'example.se>\r\nBcc: a@b')).toThrow(/domain/);
  });
});
