import nodemailer, { type Transporter } from 'nodemailer';
import SMTPPool from 'nodemailer/lib/smtp-pool';
import {
  nodemailerMessage,
  type MailTransport,
  type OutgoingMail,
  type SendReceipt,
} from './mail-transport';
import { connectWithoutDelay } from './smtp-socket';

export type SmtpTransportOptions = {
  /** Simultaneous SMTP connections in the pool (default 5). */
  maxConnections?: number;
  /** Messages per second across all connections (default 50); protects the relay's limits. */
  ratePerSecond?: number;
};

/**
 * Sends through an SMTP relay (smtp:// or smtps:// URL, credentials in the URL) over a pool of
 * reused connections. Errors propagate unchanged: they carry `responseCode` (451, 550, ...) and
 * `code` (ECONNECTION, EENVELOPE, ...) that the messaging layer classifies. No retry here.
 */
export class SmtpMailTransport implements MailTransport {
  private readonly transporter: Transporter<SMTPPool.SentMessageInfo, SMTPPool.Options>;

  constructor(smtpUrl: string, options: SmtpTransportOptions = {}) {
    // The pool is built explicitly: createTransport({ url, pool: true, ... }) parses the URL and
    // silently drops every other option, giving an unpooled, unlimited transport.
    const pool = new SMTPPool({
      pool: true,
      url: smtpUrl,
      maxConnections: options.maxConnections ?? 5,
      rateDelta: 1000,
      rateLimit: options.ratePerSecond ?? 50,
      getSocket: connectWithoutDelay,
    });
    this.transporter = nodemailer.createTransport(pool);
  }

  /** True when sends go through a connection pool (guards against the trap above). */
  get pooled(): boolean {
    return this.transporter.transporter instanceof SMTPPool;
  }

  async send(mail: OutgoingMail): Promise<SendReceipt> {
    const info = await this.transporter.sendMail(nodemailerMessage(mail));
    return {
      messageId: info.messageId,
      accepted: info.accepted.length > 0 && info.rejected.length === 0,
      response: info.response,
    };
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
