/**
 * A null SMTP server: accepts every message, reads and discards its body, and counts what it
 * accepted. It runs in a child process of its own (this file is both the child's entry point and
 * the parent's handle), so the server's parsing never shares the measured sender's event loop or
 * its CPU time slices: a sender that is slow shows up as slow, not as a busy sink.
 *
 * The parent talks to it over the fork's IPC channel: the child says where it listens, answers
 * count requests, and exits when asked to stop or when the parent disappears.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

/** What the sink has accepted since it started. */
export interface SinkCount {
  accepted: number;
  bytes: number;
}

/** When the sink accepted a mail to a recipient the parent asked it to watch. */
export interface Acceptance {
  to: string;
  /** Date.now() in the sink's process, the moment it answered 250 to the data. */
  at: number;
}

/** Recipients whose acceptance times the sink keeps: those starting with this. */
export const WATCHED_RECIPIENT_PREFIX = 'watched-';

type ToSink = { type: 'count' } | { type: 'acceptances' } | { type: 'stop' };
type FromSink =
  | { type: 'listening'; port: number }
  | ({ type: 'count' } & SinkCount)
  | { type: 'acceptances'; acceptances: Acceptance[] };

const ROOT = join(__dirname, '..', '..');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** The parent's side: start, ask for the count, stop. */
export class NullSmtpSink {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  /** Forks the sink and resolves once it listens on a free loopback port. */
  static async start(): Promise<NullSmtpSink> {
    // Explicit execArgv: the parent may run with --cpu-prof or --inspect, which the sink must
    // not inherit; the register hook is what lets the child run this .ts file.
    const child = fork(__filename, [], {
      cwd: ROOT,
      execArgv: ['-r', '@swc-node/register'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    try {
      const { port } = await nextMessage(child, 'listening', START_TIMEOUT_MS);
      return new NullSmtpSink(child, port);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async count(): Promise<SinkCount> {
    const answer = nextMessage(this.child, 'count', START_TIMEOUT_MS);
    send(this.child, { type: 'count' });
    const { accepted, bytes } = await answer;
    return { accepted, bytes };
  }

  /** When each mail to a recipient starting with WATCHED_RECIPIENT_PREFIX was accepted. */
  async acceptances(): Promise<Acceptance[]> {
    const answer = nextMessage(this.child, 'acceptances', START_TIMEOUT_MS);
    send(this.child, { type: 'acceptances' });
    return (await answer).acceptances;
  }

  /** Asks the sink to close; kills it if it has not exited in time. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    send(this.child, { type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}

function send(child: ChildProcess, message: ToSink): void {
  if (!child.connected) throw new Error('null SMTP sink: the sink process is gone');
  child.send(message);
}

/** The child's next message of `type`; rejects if it exits or stays silent for `timeoutMs`. */
function nextMessage<T extends FromSink['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<FromSink, { type: T }>> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: FromSink): void => {
      if (!isOfType(message, type)) return;
      done();
      resolve(message);
    };
    const onExit = (code: number | null, signal: string | null): void => {
      done();
      reject(new Error(`null SMTP sink exited (code ${code}, signal ${signal})`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`null SMTP sink: no '${type}' answer in ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function isOfType<T extends FromSink['type']>(
  message: FromSink,
  type: T,
): message is Extract<FromSink, { type: T }> {
  return message.type === type;
}

/** The child's side: the server itself. */
function runSink(): void {
  const count: SinkCount = { accepted: 0, bytes: 0 };
  const acceptances: Acceptance[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    // The default looks up the client's name for every connection; nodemailer's pool opens a
    // new one every 100 messages, and a DNS round trip there is no part of either sender.
    disableReverseLookup: true,
    logger: false,
    onData: (stream, session, callback) => {
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
      stream.on('end', () => {
        count.accepted += 1;
        count.bytes += bytes;
        for (const { address } of session.envelope.rcptTo)
          if (address.startsWith(WATCHED_RECIPIENT_PREFIX))
            acceptances.push({ to: address, at: Date.now() });
        callback();
      });
    },
  });
  // A sender closing its pool mid-session resets a connection: not the sink's problem.
  server.on('error', () => undefined);
  const reply = (message: FromSink): void => void process.send?.(message);
  process.on('message', (message: ToSink) => {
    // Nothing to flush on stop: the bodies were never kept.
    if (message.type === 'count') reply({ type: 'count', ...count });
    else if (message.type === 'acceptances') reply({ type: 'acceptances', acceptances });
    else process.exit(0);
  });
  // The parent died without saying stop: do not linger as an orphan.
  process.on('disconnect', () => process.exit(0));
  server.listen(0, '127.0.0.1', () => {
    const address = server.server.address();
    reply({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
  });
}

if (require.main === module) runSink();
