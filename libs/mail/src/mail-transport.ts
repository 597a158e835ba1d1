import { EMAIL_ADDRESS_RULE, normalizeEmail } from '@app/contracts';

/** One rendered mail to one recipient, ready to hand to a transport. */
export type OutgoingMail = {
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
  /** From messageIdFor(): the same logical send always carries the same Message-ID. */
  messageId: string;
  headers?: Record<string, string>;
};

export type SendReceipt = {
  messageId: string;
  accepted: boolean;
  /** The SMTP server's final answer, e.g. "250 OK: queued as ...". */
  response?: string;
  /** Where FileMailTransport wrote the .eml; the caller logs it. */
  file?: string;
};

export type SendOptions = {
  /**
   * Awaited once the message is built and ready to go, before a connection takes it: a caller
   * can ration the connections without idling them while messages are built. A rejection
   * abandons the message before any SMTP command. Called once per send.
   */
  beforeStart?: () => Promise<void>;
  /**
   * Awaited once the message is on the wire but for its end, the last moment before the server
   * can accept it; a rejection abandons the message unaccepted. A transport that cannot hold a
   * message's end awaits it before sending anything. Called once per attempt of the transport.
   */
  beforeEnd?: () => Promise<void>;
};

/**
 * Hands mails to the outside world. Implementations never retry: a failure rejects with the
 * underlying error unchanged, and the messaging layer decides (4xx and connection errors are
 * retried, 5xx are permanent).
 */
export interface MailTransport {
  send(mail: OutgoingMail, options?: SendOptions): Promise<SendReceipt>;
  /** Closes pooled connections; call once at shutdown. */
  close(): Promise<void>;
}

/**
 * A recipient that is not an address by the product's rule. The decision steps refuse those as
 * `invalid_email` long before; reaching a transport means a caller skipped the rule, and sending
 * again cannot make the address valid.
 */
export class InvalidRecipientError extends Error {
  /** Read by the messaging layer's classifyFailure: never retried. */
  readonly failureKind = 'permanent';
  readonly code = 'invalid_recipient';

  constructor() {
    // The address stays out of the message: it is hostile input and ends up in logs.
    super(`recipient is not ${EMAIL_ADDRESS_RULE}`);
    this.name = 'InvalidRecipientError';
  }
}

/**
 * The nodemailer message of an outgoing mail: one mapping for every transport. The recipient
 * is normalised once more here, so that the RCPT TO and the To header carry exactly the string
 * the address rule accepted (A-label domain); it is handed over as an address object, which
 * nodemailer never parses as an address list.
 */
export function nodemailerMessage(mail: OutgoingMail) {
  const to = normalizeEmail(mail.to);
  if (!to) throw new InvalidRecipientError();
  return {
    from: mail.from,
    to: { name: '', address: to },
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    messageId: mail.messageId,
    headers: mail.headers,
  };
}
