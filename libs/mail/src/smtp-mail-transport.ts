import { Transform, type TransformCallback } from 'node:stream';
import nodemailer, { type Transporter } from 'nodemailer';
import SMTPPool from 'nodemailer/lib/smtp-pool';
import {
  nodemailerMessage,
  type MailTransport,
  type OutgoingMail,
  type SendOptions,
  type SendReceipt,
} from './mail-transport';
import { InlineMimeComposer, type MimeComposer } from './mime-composition';
import { ThreadedMimeComposer } from './threaded-mime-composer';

/** Where a send's hold travels in nodemailer's mail data, from sendMail to the stream plugin. */
const BEFORE_END = 'connectProvisioningBeforeEnd';

export type SmtpTransportOptions = {
  /** Simultaneous SMTP connections in the pool (default 5). */
  maxConnections?: number;
  /** Messages per second across all connections (default 50); protects the relay's limits. */
  ratePerSecond?: number;
  /** Connect, greeting and each command's answer (default 30 s; nodemailer's own are minutes). */
  timeoutMs?: number;
  /**
   * Worker threads that build the MIME messages (default 1); 0 builds them on the event loop.
   * Building is most of a send's CPU, and off the event loop it neither delays the consumers
   * nor caps the sends at what one thread can encode (docs/performance.md).
   */
  composeThreads?: number;
};

/**
 * Sends through an SMTP relay (smtp:// or smtps:// URL, credentials in the URL) over a pool of
 * reused connections. Errors propagate unchanged: they carry `responseCode` (451, 550, ...) and
 * `code` (ECONNECTION, EENVELOPE, ...) that the messaging layer classifies. No retry here.
 */
export class SmtpMailTransport implements MailTransport {
  private readonly transporter: Transporter<SMTPPool.SentMessageInfo, SMTPPool.Options>;
  private readonly composer: MimeComposer;

  constructor(smtpUrl: string, options: SmtpTransportOptions = {}) {
    // The pool is built explicitly, as the type says: nodemailer before 10 dropped every option
    // beside a url in createTransport({ url, pool: true, ... }). Sockets are nodemailer's own:
    // since 10.1 it turns Nagle off itself, and its connect honours connectionTimeout and falls
    // back to the host's other addresses, which a getSocket hook would bypass.
    const pool = new SMTPPool({
      pool: true,
      url: smtpUrl,
      maxConnections: options.maxConnections ?? 5,
      rateDelta: 1000,
      rateLimit: options.ratePerSecond ?? 50,
      connectionTimeout: options.timeoutMs ?? 30_000,
      greetingTimeout: options.timeoutMs ?? 30_000,
      socketTimeout: options.timeoutMs ?? 30_000,
    });
    this.transporter = nodemailer.createTransport(pool);
    const threads = options.composeThreads ?? 1;
    this.composer = threads > 0 ? new ThreadedMimeComposer(threads) : new InlineMimeComposer();
    // Each attempt's message stream gets the send's hold before its end: the server answers
    // only after the end of the data, so until then nothing can have been accepted.
    this.transporter.use('stream', (mail, done) => {
      const beforeEnd = (mail.data as { [BEFORE_END]?: () => Promise<void> })[BEFORE_END];
      if (beforeEnd) mail.message.transform(() => new HeldEnd(beforeEnd));
      done();
    });
  }

  /** True when sends go through a connection pool (guards against the trap above). */
  get pooled(): boolean {
    return this.transporter.transporter instanceof SMTPPool;
  }

  /**
   * The message goes to the pool built (raw, with its envelope): one buffer, which the
   * connection writes whole instead of streaming it as it is encoded.
   */
  async send(mail: OutgoingMail, options: SendOptions = {}): Promise<SendReceipt> {
    const { raw, envelope } = await this.composer.compose(nodemailerMessage(mail));
    await options.beforeStart?.();
    const message = { raw, envelope, [BEFORE_END]: options.beforeEnd };
    const info = await this.transporter.sendMail(message);
    return {
      // Inside the raw message; nodemailer would report one of its own making.
      messageId: mail.messageId,
      accepted: info.accepted.length > 0 && info.rejected.length === 0,
      response: info.response,
    };
  }

  async close(): Promise<void> {
    this.transporter.close();
    await this.composer.close();
  }
}

/**
 * Passes a message through and holds its end until `beforeEnd` resolves. The SMTP connection
 * has sent the envelope and the body by then, and writes the end of data ("." line) only once
 * this stream ends; a rejection fails the stream, and nodemailer drops the connection, so the
 * server discards the unfinished message.
 */
class HeldEnd extends Transform {
  constructor(private readonly beforeEnd: () => Promise<void>) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.beforeEnd().then(
      () => done(),
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
  }
}
