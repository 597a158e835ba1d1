import { format } from 'node:util';
import { setDefaultLogDestination } from '@app/observability';
import { activeLogCapture } from './log-capture';

// Apps started in-process log through createLogger, kafkajs through them, and tests print
// figures with console.log: under quiet-environment.ts all of it goes to the file's capture.
const capture = activeLogCapture();
if (capture) {
  setDefaultLogDestination(() => ({ write: (line: string) => capture.add('', line) }));
  for (const method of ['log', 'info', 'debug', 'warn', 'error'] as const) {
    console[method] = (...args: unknown[]) => capture.add(`console.${method}:`, format(...args));
  }
}
