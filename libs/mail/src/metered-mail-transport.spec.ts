import { Registry } from 'prom-client';
import type { MailTransport, OutgoingMail } from './mail-transport';
import { MeteredMailTransport } from './metered-mail-transport';

const mail = {} as OutgoingMail;

function transportAnswering(...answers: (Error | boolean)[]): MailTransport {
  return {
    send: jest.fn(async () => {
      const answer = answers.shift();
      if (answer instanceof Error) throw answer;
      return { messageId: '<m@x>', accepted: answer ?? true, response: '250 OK' };
    }),
    close: jest.fn(async () => undefined),
  };
}

describe('MeteredMailTransport', () => {
  it('times every send by result and counts failures by SMTP reply or error code', async () => {
    const registry = new Registry();
    const refused = Object.assign(new Error('451 try later'), { responseCode: 451 });
    // The shape nodemailer 10 rejects with when nothing listens.
    const noServer = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ESOCKET',
      originalCode: 'ECONNREFUSED',
    });
    const metered = new MeteredMailTransport(
      transportAnswering(true, true, refused, noServer),
      registry,
    );

    await metered.send(mail);
    await metered.send(mail);
    await expect(metered.send(mail)).rejects.toBe(refused);
    await expect(metered.send(mail)).rejects.toBe(noServer);

    const text = await registry.metrics();
    expect(text).toContain('connect_smtp_send_seconds_count{result="accepted"} 2');
    expect(text).toContain('connect_smtp_send_seconds_count{result="failed"} 2');
    expect(text).toContain('connect_smtp_failures_total{code="451"} 1');
    expect(text).toContain('connect_smtp_failures_total{code="ECONNREFUSED"} 1');
  });
});
