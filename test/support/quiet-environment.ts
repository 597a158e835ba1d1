import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';
import { type CapturedLines, describeCaptured, installLogCapture, LogCapture } from './log-capture';

/** How many lines a failure shows: enough for the story of one test, not a whole broker outage. */
const LINES_PER_FAILURE = 200;

/**
 * The node environment with quiet logs: a test file's log lines (see quiet-logs.ts) are held back
 * and printed only under a failed test, as a second error of that test, so jest's report shows
 * them beside the failure it explains. TEST_LOGS=1 prints everything as it comes, as before.
 */
export default class QuietTestEnvironment extends TestEnvironment {
  private readonly capture = new LogCapture(LINES_PER_FAILURE);

  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    if (process.env.TEST_LOGS !== '1') installLogCapture(this.global, this.capture);
  }

  handleTestEvent(event: Circus.Event, state: Circus.State): void {
    if (event.name === 'test_done') {
      const own = this.capture.endTest();
      // A `.failing` test passes by failing: its errors are expected, so its logs are not news.
      if (event.test.errors.length === 0 || event.test.failing) return;
      const text = this.failureLogs(own);
      if (text) event.test.errors.push(logsAsError(text));
    }
    if (event.name === 'run_finish' && state.unhandledErrors.length > 0) {
      const captured = this.capture.fileLines();
      if (captured.total > 0)
        state.unhandledErrors.push(logsAsError(describeCaptured('this test file', captured)));
    }
  }

  /** A test that logged nothing may still be explained by what its file logged before it. */
  private failureLogs(own: CapturedLines): string | undefined {
    if (own.total > 0) return describeCaptured('this test', own);
    const file = this.capture.fileLines();
    if (file.total > 0) return describeCaptured('this test file before this test', file);
    return undefined;
  }
}

/** An error that jest prints as its text alone: no "Error:" prefix, no stack frames. */
function logsAsError(text: string): Error {
  const error = new Error(text);
  error.stack = text;
  return error;
}
