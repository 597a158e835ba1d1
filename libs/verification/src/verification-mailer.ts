import type { Locale } from '@app/contracts';

export interface VerificationMail {
  to: string;
  sendId: string;
  token: string;
  expiresAt: Date;
  displayName?: string;
  locale?: Locale;
}

/**
 * Renders and sends one verification mail. Resolves `sent`, or `{ rejected }` when the server
 * refused it for good (5xx); throws when it may work later (4xx, connection lost).
 */
export interface VerificationMailer {
  send(mail: VerificationMail): Promise<'sent' | { rejected: string }>;
  /**
   * Renders now and returns the send, for a caller that holds the mail back before it goes
   * (RecordedMailSender renders a batch at once, then sends as connections free up).
   */
  prepare?(mail: VerificationMail): () => Promise<'sent' | { rejected: string }>;
}
