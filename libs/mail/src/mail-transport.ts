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

/**
 * Hands mails to the outside world. Implementations never retry: a failure rejects with the
 * underlying error unchanged, and the messaging layer decides (4xx and connection errors are
 * retried, 5xx are permanent).
 */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<SendReceipt>;
  /** Closes pooled connections; call once at shutdown. */
  close(): Promise<void>;
}

/** The nodemailer message of an outgoing mail: one mapping for every transport. */
export function nodemailerMessage(mail: OutgoingMail) {
  return {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    messageId: mail.messageId,
    headers: mail.headers,
  };
}
