import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type StreamTransport from 'nodemailer/lib/stream-transport';
import {
  nodemailerMessage,
  type MailTransport,
  type OutgoingMail,
  type SendReceipt,
  type SendOptions,
} from './mail-transport';

/** "<abc@host>" -> "abc@host", and nothing a file system could trip over. */
function fileSafe(messageId: string): string {
  return messageId
    .replace(/^<|>$/g, '')
    .replace(/[^A-Za-z0-9.@_-]/g, '_')
    .slice(0, 120);
}

/** 2025-03-14T15:30:00.123Z -> 20250314T153000123Z: sortable and legal on every file system. */
function fileTimestamp(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

/**
 * Without an SMTP relay (local development, demos) each mail becomes an .eml file that any mail
 * client opens, so the exact MIME message a relay would get can be inspected.
 */
export class FileMailTransport implements MailTransport {
  private readonly transporter: Transporter<
    StreamTransport.SentMessageInfo,
    StreamTransport.Options
  >;

  constructor(
    readonly outboxDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    // Unix newlines: the files are for people and tools on a developer machine, not for SMTP.
    this.transporter = nodemailer.createTransport({
      streamTransport: true,
      buffer: true,
      newline: 'unix',
    });
  }

  async send(mail: OutgoingMail, options: SendOptions = {}): Promise<SendReceipt> {
    const info = await this.transporter.sendMail(nodemailerMessage(mail));
    // The file is the "acceptance": nothing is written before the caller lets the end go.
    await options.beforeStart?.();
    await options.beforeEnd?.();
    if (!Buffer.isBuffer(info.message)) throw new Error('stream transport returned no buffer');
    await mkdir(this.outboxDir, { recursive: true });
    const file = await this.writeNew(
      `${fileTimestamp(this.now())}-${fileSafe(info.messageId)}`,
      info.message,
    );
    return { messageId: info.messageId, accepted: true, file };
  }

  /** A duplicate send within the same millisecond gets its own file instead of overwriting. */
  private async writeNew(base: string, message: Buffer): Promise<string> {
    for (let attempt = 1; ; attempt += 1) {
      const file = join(this.outboxDir, attempt === 1 ? `${base}.eml` : `${base}-${attempt}.eml`);
      try {
        await writeFile(file, message, { flag: 'wx' });
        return file;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) throw error;
      }
    }
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
