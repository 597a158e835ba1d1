import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MIME_COMPOSER_WORKER_SOURCE } from './mime-composer-worker-source';
import {
  type ComposedMail,
  composerInput,
  MailCompositionError,
  type MailMessage,
  type MimeComposer,
} from './mime-composition';

/**
 * The composing thread stopped (crashed, ran out of memory, or the transport closed) with the
 * mail still in it. Nothing was sent: a later attempt composes it again.
 */
export class ComposeThreadError extends Error {
  readonly failureKind = 'transient';
  readonly code = 'compose_thread_stopped';

  constructor(reason: string) {
    super(`the mail composing thread stopped: ${reason}`);
    this.name = 'ComposeThreadError';
  }
}

type ThreadResult =
  | { id: number; raw: ArrayBuffer; envelope: ComposedMail['envelope'] }
  | { id: number; error: string };

interface Waiting {
  resolve(mail: ComposedMail): void;
  reject(error: Error): void;
}

/**
 * The thread's heap, both generations set: a cap on the old generation alone makes V8 shrink
 * the young one, and composing then cost ten times the CPU (6.9 ms a mail instead of 0.6-1.0);
 * no cap let the thread's heap grow to about 190 MB and the worker's RSS by about 230 MB. With
 * these, 30,000 mails composed alone: 720 µs a mail (650 without caps), heap under 100 MB.
 */
const THREAD_HEAP = { maxYoungGenerationSizeMb: 64, maxOldGenerationSizeMb: 256 };

// Resolved from the working directory: inside a webpack bundle require.resolve is webpack's.
const mailComposerPath = () =>
  createRequire(join(process.cwd(), 'package.json')).resolve('nodemailer/lib/mail-composer');

/**
 * Composes MIME messages in `threads` worker threads, each mail on the least busy one. The
 * mails handed over in one turn of the event loop travel to a thread as one message, so the
 * hand-over costs little beside the work it moves.
 */
export class ThreadedMimeComposer implements MimeComposer {
  private readonly threads: ComposeThread[];

  /** `source`: the threads' code; tests pass one that can be made to die. */
  constructor(threads: number, options: { source?: string } = {}) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError('threads must be >= 1');
    const code = {
      source: options.source ?? MIME_COMPOSER_WORKER_SOURCE,
      mailComposer: mailComposerPath(),
    };
    this.threads = Array.from({ length: threads }, () => new ComposeThread(code));
  }

  compose(message: MailMessage): Promise<ComposedMail> {
    const idlest = this.threads.reduce((a, b) => (b.load < a.load ? b : a));
    return idlest.compose(composerInput(message));
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.close()));
  }
}

/** One worker thread, started at its first mail and again after it stopped. */
class ComposeThread {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private outgoing: { id: number; message: ReturnType<typeof composerInput> }[] = [];
  private nextId = 0;
  private closed = false;

  constructor(private readonly code: { source: string; mailComposer: string }) {}

  /** Mails handed to this thread and not yet back. */
  get load(): number {
    return this.waiting.size;
  }

  compose(message: ReturnType<typeof composerInput>): Promise<ComposedMail> {
    if (this.closed) return Promise.reject(new ComposeThreadError('the transport is closed'));
    const id = this.nextId++;
    return new Promise<ComposedMail>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (this.outgoing.push({ id, message }) === 1) setImmediate(() => this.handOver());
      // A thread with work keeps the process alive; an idle one does not.
      this.started().ref();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.stopped('the transport is closed');
    await worker?.terminate();
  }

  private handOver(): void {
    const batch = this.outgoing;
    this.outgoing = [];
    if (batch.length > 0 && this.worker) this.worker.postMessage(batch);
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.code.source, {
      eval: true,
      workerData: { mailComposer: this.code.mailComposer },
      resourceLimits: THREAD_HEAP,
    });
    worker.on('message', (results: ThreadResult[]) => this.settle(results));
    worker.on('error', (error: Error) => this.stopped(error.message));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.stopped(`exit code ${code}`);
    });
    this.worker = worker;
    return worker;
  }

  private settle(results: readonly ThreadResult[]): void {
    for (const result of results) {
      const waiting = this.waiting.get(result.id);
      this.waiting.delete(result.id);
      if (!waiting) continue;
      if ('error' in result) waiting.reject(new MailCompositionError(result.error));
      else waiting.resolve({ raw: Buffer.from(result.raw), envelope: result.envelope });
    }
    if (this.waiting.size === 0) this.worker?.unref();
  }

  /** Every mail still in the thread fails as transient; the next mail starts a new thread. */
  private stopped(reason: string): void {
    const worker = this.worker;
    this.worker = undefined;
    // A stopped thread's late events are nobody's: one that errs now must not crash the process.
    worker?.removeAllListeners().on('error', () => undefined);
    void worker?.terminate();
    this.outgoing = [];
    const error = new ComposeThreadError(reason);
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }
}
