import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import {
  FileMailTransport,
  InvalidRecipientError,
  MailRenderer,
  createMailTransport,
  messageIdFor,
  SmtpMailTransport,
  type OutgoingMail,
} from '.';

const rendered = new MailRenderer().render('verification', 'sv', {
  displayName: 'Åsa Öberg',
  email: 'asa@example.se',
  verifyUrl: 'https://provisioning.example.se/verify/tok',
  expiresAt: new Date('2025-03-14T15:30:00Z'),
  loginUrl: 'https://flexhrm.example/login',
  companyName: 'Andersson & Söner AB',
});

const mail = (sendId: string): OutgoingMail => ({
  to: 'asa@example.se',
  from: 'Flex HRM <no-reply@flexhrm.example>',
  ...rendered,
  messageId: messageIdFor(sendId, 'connect-provisioning.local'),
  headers: { 'X-Request-Id': 'req-1' },
});

describe('FileMailTransport', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mail-outbox-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a parseable .eml with the given Message-ID, and says where', async () => {
    const outbox = join(dir, 'not-yet-created');
    const transport = new FileMailTransport(outbox, () => new Date('2025-03-07T08:09:10.123Z'));
    const sent = mail('req-1/user-1');

    const receipt = await transport.send(sent);
    await transport.close();

    const hash = sent.messageId.slice(1, -1);
    expect(receipt).toEqual({
      messageId: sent.messageId,
      accepted: true,
      file: join(outbox, `20250307T080910123Z-${hash}.eml`),
    });
    const parsed = await simpleParser(readFileSync(receipt.file ?? ''));
    expect(parsed.messageId).toBe(sent.messageId);
    expect(parsed.subject).toBe('Verifiera din e-postadress för Visma Connect');
    expect(parsed.headers.get('x-request-id')).toBe('req-1');
    expect(parsed.text).toContain('Andersson & Söner AB');
    expect(parsed.text).toContain('https://provisioning.example.se/verify/tok');
    expect(parsed.html).toContain('Hej Åsa Öberg!');
    expect(parsed.html).toContain('<html lang="sv">');
  });

  it('keeps a duplicate send as its own file', async () => {
    const transport = new FileMailTransport(dir, () => new Date('2025-03-07T08:09:10.123Z'));
    const first = await transport.send(mail('req-1/user-1'));
    const second = await transport.send(mail('req-1/user-1'));
    expect(second.messageId).toBe(first.messageId);
    expect(second.file).not.toBe(first.file);
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('uses Unix newlines', async () => {
    const receipt = await new FileMailTransport(dir).send(mail('req-1/user-2'));
    expect(readFileSync(receipt.file ?? '', 'utf8')).not.toContain('\r\n');
  });

  it('addresses the A-label form the address rule produced, not what the caller passed', async () => {
    const receipt = await new FileMailTransport(dir).send({
      ...mail('req-1/user-3'),
      to: 'Anna@Exämple.SE',
    });
    const raw = readFileSync(receipt.file ?? '', 'utf8');
    expect(raw).toMatch(/^To: Anna@xn--exmple-cua\.se$/m);
  });

  it.each([
    ['a quoted local part holding @', '"x@evil.example"@example.com'],
    ['CR/LF inside quotes', '"asa\r\nBcc: x@evil.example"@example.se'],
    ['a soft hyphen that UTS-46 would drop', 'asa@exa\u00admple.se'],
    ['an address list', 'asa@example.se, x@evil.example'],
  ])('refuses %s as a permanent failure and writes nothing', async (_what, to) => {
    const sending = new FileMailTransport(dir).send({ ...mail('req-1/user-4'), to });
    await expect(sending).rejects.toBeInstanceOf(InvalidRecipientError);
    await expect(sending).rejects.toMatchObject({ failureKind: 'permanent' });
    await expect(sending).rejects.not.toHaveProperty('message', expect.stringContaining('evil'));
    expect(readdirSync(dir)).toHaveLength(0);
  });
});

describe('createMailTransport', () => {
  it('writes files without an SMTP URL', async () => {
    const transport = createMailTransport({ outboxDir: '.mail-outbox' });
    expect(transport).toBeInstanceOf(FileMailTransport);
    await transport.close();
  });

  it('sends through a connection pool with an SMTP URL', async () => {
    // createTransport({ url, pool: true }) would silently build an unpooled transport.
    const transport = createMailTransport({
      smtpUrl: 'smtp://127.0.0.1:2525',
      outboxDir: '.mail-outbox',
      maxConnections: 2,
    });
    expect(transport).toBeInstanceOf(SmtpMailTransport);
    expect((transport as SmtpMailTransport).pooled).toBe(true);
    await transport.close();
  });
});
