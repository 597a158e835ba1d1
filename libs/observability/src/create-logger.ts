import pino, { type Logger } from 'pino';
import { EMAIL_LOG_PATHS, SECRET_LOG_PATHS, maskEmail, maskEmailsIn } from './redaction';

export interface LoggerOptions {
  service: string;
  version: string;
  level: string;
  /** Where to write; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

/**
 * JSON logs with the service and version on every line. Addresses are masked and tokens
 * removed by path, so a careless `logger.info({ user })` cannot leak either.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service, version: options.version },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Errors carry addresses in free text (an SMTP server's "<anna@…> rejected"), out of
      // reach of the path-based redaction below.
      serializers: { err: (error: Error) => maskEmailsIn(pino.stdSerializers.err(error)) },
      redact: {
        paths: [...EMAIL_LOG_PATHS, ...SECRET_LOG_PATHS],
        // Every redacted path that ends in "email" holds an address; the rest are secrets.
        censor: (value: unknown, path: readonly unknown[]) =>
          path[path.length - 1] === 'email' && typeof value === 'string'
            ? maskEmail(value)
            : '[redacted]',
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
