import { FileMailTransport } from './file-mail-transport';
import type { MailTransport } from './mail-transport';
import { SmtpMailTransport } from './smtp-mail-transport';

export type MailTransportConfig = {
  smtpUrl?: string;
  outboxDir: string;
  maxConnections?: number;
  ratePerSecond?: number;
  timeoutMs?: number;
  composeThreads?: number;
};

/** SMTP when a relay is configured, otherwise .eml files in outboxDir (development). */
export function createMailTransport(config: MailTransportConfig): MailTransport {
  if (config.smtpUrl) {
    return new SmtpMailTransport(config.smtpUrl, {
      maxConnections: config.maxConnections,
      ratePerSecond: config.ratePerSecond,
      timeoutMs: config.timeoutMs,
      composeThreads: config.composeThreads,
    });
  }
  return new FileMailTransport(config.outboxDir);
}
