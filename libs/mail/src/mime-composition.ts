import MailComposer from 'nodemailer/lib/mail-composer';
import type { nodemailerMessage } from './mail-transport';

/** What a transport hands nodemailer: one mail's fields, as nodemailerMessage maps them. */
export type MailMessage = ReturnType<typeof nodemailerMessage>;

/** A mail as it goes on the wire: the whole MIME message in one buffer, and its envelope. */
export interface ComposedMail {
  raw: Buffer;
  /** MAIL FROM (false: the null sender) and RCPT TO, taken from the message's headers. */
  envelope: { from: string | false; to: string[] };
}

/**
 * Builds the MIME message of a mail (headers, quoted-printable parts, boundaries): the
 * heaviest step of a send, about three quarters of its CPU (docs/performance.md).
 */
export interface MimeComposer {
  compose(message: MailMessage): Promise<ComposedMail>;
  close(): Promise<void>;
}

/**
 * A message that cannot be built (a header nodemailer refuses). Building it again fails again:
 * never retried.
 */
export class MailCompositionError extends Error {
  readonly failureKind = 'permanent';
  readonly code = 'mail_composition';

  constructor(cause: string) {
    super(`the mail's MIME message cannot be built: ${cause}`);
    this.name = 'MailCompositionError';
  }
}

/**
 * The message fields nodemailer's MailComposer reads, and nothing that would make it read a
 * file or fetch a URL: the mails carry their content as strings.
 */
export function composerInput(message: MailMessage) {
  return { ...message, disableFileAccess: true, disableUrlAccess: true };
}

/** Composes on the calling thread: for .eml files, tests and SMTP_COMPOSE_THREADS=0. */
export class InlineMimeComposer implements MimeComposer {
  async compose(message: MailMessage): Promise<ComposedMail> {
    let node: ReturnType<MailComposer['compile']>;
    try {
      node = new MailComposer(composerInput(message)).compile();
    } catch (error) {
      throw new MailCompositionError(error instanceof Error ? error.message : String(error));
    }
    const { from, to } = node.getEnvelope();
    return { raw: await node.build(), envelope: { from, to } };
  }

  async close(): Promise<void> {}
}
