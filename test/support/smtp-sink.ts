import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  envelopeFrom: string | false;
  envelopeTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

/**
 * A real SMTP server on loopback that records every message it accepts. `respond` lets a test
 * answer chosen recipients with a chosen code (451 for "try later", 550 for "no such user").
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  readonly connectionErrors: Error[] = [];
  /** Every command line as the client sent it: smtp-server hands on IDN domains decoded. */
  readonly commands: string[] = [];
  respond: (recipient: string) => { code: number; message: string } | undefined = () => undefined;
  /** True: read the message, then drop the connection without answering (no record kept). */
  dropAfterData: (recipients: string[]) => boolean = () => false;
  /** Waits this long before answering a message's DATA: a server that stalls. */
  stallMs: (recipients: string[]) => number = () => 0;
  private server?: SMTPServer;
  port = 0;

  async start(): Promise<void> {
    const options: SMTPServerOptions = {
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: commandRecorder(this.commands),
      onRcptTo: (address, _session, callback) => {
        const answer = this.respond(address.address);
        if (!answer) return callback();
        const error = new Error(answer.message) as Error & { responseCode: number };
        error.responseCode = answer.code;
        callback(error);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const recipients = session.envelope.rcptTo.map((r) => r.address);
          if (this.dropAfterData(recipients)) return this.drop(session.id);
          const stall = this.stallMs(recipients);
          new Promise((resolve) => setTimeout(resolve, stall))
            .then(() => simpleParser(raw))
            .then((parsed) => {
              this.mails.push({
                envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : false,
                envelopeTo: session.envelope.rcptTo.map((r) => r.address),
                raw,
                parsed,
              });
              callback();
            })
            .catch(callback);
        });
      },
    };
    this.server = new SMTPServer(options);
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(0, '127.0.0.1', () => resolve());
    });
    // A client that dies mid-session (the fault tests kill the worker) resets its connection;
    // the server reports that here, and it is no failure of the test.
    this.server.on('error', (error) => this.connectionErrors.push(error));
    const address = this.server.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  // smtp-server keeps its connections in a set it does not document; a test may reach in.
  private drop(sessionId: string): void {
    const server = this.server as unknown as {
      connections: Set<{ session?: { id?: string }; _socket?: { destroy(): void } }>;
    };
    for (const connection of server.connections)
      if (connection.session?.id === sessionId) connection._socket?.destroy();
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

/**
 * A logger that keeps only smtp-server's `C:` lines, the client's commands as sent. Other levels
 * fall back to `debug` (smtp-server routes a missing level to one that exists) and are dropped.
 */
function commandRecorder(commands: string[]): SMTPServerOptions['logger'] {
  return {
    debug(entry: { tnx?: unknown } | undefined, prefix?: unknown, line?: unknown) {
      if (entry?.tnx === 'command' && prefix === 'C:') commands.push(String(line));
    },
  };
}
