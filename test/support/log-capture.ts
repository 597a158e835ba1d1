/** One test file's log lines, kept so that a failed test can show them; a passing one shows none. */
export interface CapturedLines {
  /** The last lines, oldest first. */
  lines: string[];
  /** How many lines there were in all; more than `lines.length` when the oldest were dropped. */
  total: number;
}

// A line longer than this is a dumped payload, not something to read in a CI log.
const MAX_LINE_CHARS = 2_000;

/** The last `limit` lines, and how many came before them. */
class Tail {
  private lines: string[] = [];
  private total = 0;

  constructor(private readonly limit: number) {}

  push(line: string): void {
    this.lines.push(line);
    this.total += 1;
    if (this.lines.length > this.limit) this.lines.shift();
  }

  take(): CapturedLines {
    const taken = { lines: this.lines, total: this.total };
    this.lines = [];
    this.total = 0;
    return taken;
  }

  peek(): CapturedLines {
    return { lines: [...this.lines], total: this.total };
  }
}

/**
 * Collects what a test file's code logs: the in-process apps' pino lines, console calls and the
 * output of the processes it starts. Lines are grouped by test: the group of a test holds what
 * was logged since the previous test ended, so a failing `beforeAll` or `beforeEach` shows too.
 */
export class LogCapture {
  private readonly sinceLastTest: Tail;
  private readonly wholeFile: Tail;

  constructor(limit = 200) {
    this.sinceLastTest = new Tail(limit);
    this.wholeFile = new Tail(limit);
  }

  /** `text` may hold several lines (a pino chunk, a console call with newlines). */
  add(source: string, text: string): void {
    for (const raw of text.replace(/\n$/, '').split('\n')) {
      const clipped =
        raw.length > MAX_LINE_CHARS ? `${raw.slice(0, MAX_LINE_CHARS)}… [clipped]` : raw;
      const line = source ? `${source} ${clipped}` : clipped;
      this.sinceLastTest.push(line);
      this.wholeFile.push(line);
    }
  }

  /** The lines of the test that just ended; the next test starts an empty group. */
  endTest(): CapturedLines {
    return this.sinceLastTest.take();
  }

  /** The file's last lines, for failures that belong to no test (an `afterAll`, a crash). */
  fileLines(): CapturedLines {
    return this.wholeFile.peek();
  }
}

/** The text printed under a failure. */
export function describeCaptured(what: string, captured: CapturedLines): string {
  const shown = captured.lines.length;
  const count =
    shown < captured.total ? `the last ${shown} of ${captured.total}` : `${captured.total}`;
  return [`Log lines of ${what} (${count}):`, ...captured.lines].join('\n');
}

// Symbol.for is shared by every realm of the process: the test environment (outside the test's
// VM context) installs the capture, and code inside it (the setup file, worker-process) finds it.
const CAPTURE_KEY = Symbol.for('connect-provisioning.test-log-capture');

export function installLogCapture(target: object, capture: LogCapture): void {
  Object.defineProperty(target, CAPTURE_KEY, { value: capture, configurable: true });
}

/** The running test file's capture; undefined outside jest or when TEST_LOGS=1 prints live. */
export function activeLogCapture(): LogCapture | undefined {
  return (globalThis as { [CAPTURE_KEY]?: LogCapture })[CAPTURE_KEY];
}
