import nodemailer from 'nodemailer';
import { SmtpSink } from '../support/smtp-sink';

// The test SMTP server is real: it speaks SMTP on loopback to a real client.
describe('test SMTP server on loopback', () => {
  const sink = new SmtpSink();
  beforeAll(() => sink.start());
  afterAll(() => sink.stop());

  it('records what a real SMTP client delivers, envelope and parsed message', async () => {
    const transport = nodemailer.createTransport({ url: sink.url } as unknown as string);
    await transport.sendMail({
      from: 'noreply@example.se',
      to: 'anna@example.se',
      subject: 'Verifiera din e-postadress',
      text: 'Hej Anna',
    });
    expect(sink.mails).toHaveLength(1);
    expect(sink.mails[0]?.envelopeTo).toEqual(['anna@example.se']);
    expect(sink.mails[0]?.parsed.subject).toBe('Verifiera din e-postadress');
    expect(sink.mails[0]?.parsed.text?.trim()).toBe('Hej Anna');
  });

  it('answers chosen recipients with a chosen code', async () => {
    sink.respond = (rcpt) =>
      rcpt.startsWith('nobody') ? { code: 550, message: 'No such user' } : undefined;
    const transport = nodemailer.createTransport(sink.url);
    await expect(
      transport.sendMail({ from: 'noreply@example.se', to: 'nobody@example.se', text: 'x' }),
    ).rejects.toMatchObject({ responseCode: 550 });
  });
});
