import pino, { type Logger } from 'pino';
import { SECRET_LOG_PATHS, maskLogLine } from './redaction';

export interface LoggerOptions {
  service: string;
  version: string;
  level: string;
  /** Where to write; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

const stdout = (): pino.DestinationStream => pino.destination({ sync: false });
let defaultDestination = stdout;

/**
 * Where loggers created without a `destination` write from now on (no argument: stdout again);
 * returns the previous choice. The test harness collects every in-process app's lines this way
 * and prints them only for a failed test, without the apps knowing they run under jest.
 */
export function setDefaultLogDestination(
  destination: () => pino.DestinationStream = stdout,
): () => pino.DestinationStream {
  const previous = defaultDestination;
  defaultDestination = destination;
  return previous;
}

/**
 * JSON logs with the service and version on every line. Secrets are removed by key; addresses
 * are masked in every string of the finished line, so a careless `logger.info({ user })` or an
 * error message quoting an import row cannot leak one.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service, version: options.version },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // On the finished line rather than the logged object: only there are the message, a child
      // logger's bindings, printf arguments and pino's own serialization of errors all present,
      // and child loggers inherit the hook.
      hooks: { streamWrite: maskLogLine },
      redact: { paths: SECRET_LOG_PATHS, censor: '[redacted]' },
    },
    options.destination ?? defaultDestination(),
  );
}
