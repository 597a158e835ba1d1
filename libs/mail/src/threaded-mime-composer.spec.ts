import { simpleParser } from 'mailparser';
import { nodemailerMessage, type OutgoingMail } from './mail-transport';
import { InlineMimeComposer, MailCompositionError, type MailMessage } from './mime-composition';
import { MIME_COMPOSER_WORKER_SOURCE } from './mime-composer-worker-source';
import { ComposeThreadError, ThreadedMimeComposer } from './threaded-mime-composer';

function message(n: number): MailMessage {
  const mail: OutgoingMail = {
    to: `asa.oberg.${n}@example.se`,
    from: 'Flex HRM <no-reply@flexhrm.example>',
    subject: `Verifiera din e-postadress ${n} / Verify your e-mail address`,
    html: `<p>Hej Åsa ${n}! Klicka <a href="https://p.example.se/verify/t${n}">här</a>.</p>`,
    text: `Hej Åsa ${n}!\nÖppna https://p.example.se/verify/t${n}\n`,
    messageId: `<send-${n}@connect-provisioning.local>`,
  };
  return nodemailerMessage(mail);
}

async function parsed(raw: Buffer) {
  const mail = await simpleParser(raw);
  return {
    subject: mail.subject,
    from: mail.from?.text,
    to: Array.isArray(mail.to) ? mail.to.map((t) => t.text) : mail.to?.text,
    messageId: mail.messageId,
    text: mail.text,
    html: mail.html,
  };
}

describe('ThreadedMimeComposer', () => {
  let composer: ThreadedMimeComposer;

  beforeEach(() => {
    composer = new ThreadedMimeComposer(2);
  });

  afterEach(async () => {
    await composer.close();
  });

  it('builds the message the inline composer builds, with the same envelope', async () => {
    const inline = await new InlineMimeComposer().compose(message(1));
    const threaded = await composer.compose(message(1));
    expect(threaded.envelope).toEqual({
      from: 'no-reply@flexhrm.example',
      to: ['asa.oberg.1@example.se'],
    });
    expect(threaded.envelope).toEqual(inline.envelope);
    // Boundaries and Date differ between builds; what a reader sees does not.
    expect(await parsed(threaded.raw)).toEqual(await parsed(inline.raw));
    expect(await parsed(threaded.raw)).toMatchObject({
      messageId: '<send-1@connect-provisioning.local>',
      text: expect.stringContaining('Hej Åsa 1!'),
    });
  });

  it('gives each of many mails handed over at once its own message', async () => {
    const composed = await Promise.all(
      Array.from({ length: 300 }, (_, n) => composer.compose(message(n))),
    );
    const subjects = await Promise.all(composed.map(async (c) => (await parsed(c.raw)).subject));
    expect(subjects).toEqual(
      Array.from(
        { length: 300 },
        (_, n) => `Verifiera din e-postadress ${n} / Verify your e-mail address`,
      ),
    );
    expect(composed.map((c) => c.envelope.to[0])).toEqual(
      Array.from({ length: 300 }, (_, n) => `asa.oberg.${n}@example.se`),
    );
  });

  it('reads no file a message names, and refuses it as permanent', async () => {
    const fromFile = { ...message(2), html: { path: '/etc/hostname' } } as unknown as MailMessage;
    const composing = composer.compose(fromFile);
    await expect(composing).rejects.toBeInstanceOf(MailCompositionError);
    await expect(composing).rejects.toMatchObject({ failureKind: 'permanent' });
    // The thread is still there for the next mail.
    await expect(composer.compose(message(3))).resolves.toMatchObject({
      envelope: { to: ['asa.oberg.3@example.se'] },
    });
  });

  it('fails a mail as transient when its thread dies, and starts a new thread for the next', async () => {
    await composer.close();
    // The thread's own code, after a listener that ends the thread on a mail titled "die".
    const dying =
      "require('node:worker_threads').parentPort.on('message', (batch) => {" +
      "  if (batch.some((t) => t.message.subject === 'die')) process.exit(3);" +
      '});' +
      MIME_COMPOSER_WORKER_SOURCE;
    composer = new ThreadedMimeComposer(1, { source: dying });
    const dies = composer.compose({ ...message(6), subject: 'die' });
    const alongside = composer.compose(message(7));
    for (const lost of [dies, alongside])
      await expect(lost).rejects.toMatchObject({
        name: 'ComposeThreadError',
        failureKind: 'transient',
        message: expect.stringContaining('exit code 3'),
      });
    await expect(composer.compose(message(8))).resolves.toMatchObject({
      envelope: { to: ['asa.oberg.8@example.se'] },
    });
  });

  it('fails the mails in a closed composer as transient, and takes no more', async () => {
    const pending = composer.compose(message(4));
    const failed = expect(pending).rejects.toMatchObject({
      name: 'ComposeThreadError',
      failureKind: 'transient',
    });
    await composer.close();
    await failed;
    await expect(composer.compose(message(5))).rejects.toBeInstanceOf(ComposeThreadError);
  });
});
