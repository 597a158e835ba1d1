import type { Locale, MailLane } from '@app/contracts';

export interface VerificationMail {
  to: string;
  sendId: string;
  token: string;
  expiresAt: Date;
  displayName?: string;
  locale?: Locale;
  /** 'interactive': someone is waiting for it; it goes first at the connections. */
  lane?: MailLane;
}

/**
 * Awaited by a mailer once a mail is on the wire but for its end: the last moment before the
 * server can accept it. While it waits, the connection has done the envelope and the body, so
 * a caller can hold mails back without idling the connections. A rejection abandons the mail
 * unaccepted. A mailer that cannot hold a message's end awaits it before sending anything.
 */
export type BeforeEnd = () => Promise<void>;

/**
 * What a caller can hold a mail back at: `beforeStart` once the mail is built and before a
 * connection takes it (a rejection sends nothing), `beforeEnd` as above. A mailer that cannot
 * hold a message's end awaits both before sending anything.
 */
export interface MailHooks {
  beforeStart?: () => Promise<void>;
  beforeEnd?: BeforeEnd;
}

export type MailAnswer = 'sent' | { rejected: string };

/**
 * Renders and sends one verification mail. Resolves `sent`, or `{ rejected }` when the server
 * refused it for good (5xx); throws when it may work later (4xx, connection lost).
 */
export interface VerificationMailer {
  send(mail: VerificationMail, hooks?: MailHooks): Promise<MailAnswer>;
  /**
   * Renders now and returns the send, for a caller that holds the mail back before it goes
   * (RecordedMailSender renders a batch at once, then sends as connections free up).
   */
  prepare?(mail: VerificationMail): (hooks?: MailHooks) => Promise<MailAnswer>;
}
