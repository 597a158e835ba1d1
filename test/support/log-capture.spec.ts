import { activeLogCapture, describeCaptured, installLogCapture, LogCapture } from './log-capture';

describe('LogCapture', () => {
  it("groups lines by test: a test's group holds what was logged since the previous test ended", () => {
    const capture = new LogCapture();
    capture.add('', 'beforeAll line\n');
    capture.add('', 'first test line\n');
    expect(capture.endTest()).toEqual({ lines: ['beforeAll line', 'first test line'], total: 2 });
    capture.add('[worker 7]', 'second test line\nand its next line\n');
    expect(capture.endTest()).toEqual({
      lines: ['[worker 7] second test line', '[worker 7] and its next line'],
      total: 2,
    });
    expect(capture.endTest()).toEqual({ lines: [], total: 0 });
    expect(capture.fileLines().total).toBe(4);
  });

  it('keeps only the last lines of a long test, and counts the ones it dropped', () => {
    const capture = new LogCapture(3);
    for (let i = 1; i <= 10; i++) capture.add('', `line ${i}`);
    const captured = capture.endTest();
    expect(captured).toEqual({ lines: ['line 8', 'line 9', 'line 10'], total: 10 });
    expect(describeCaptured('this test', captured)).toBe(
      'Log lines of this test (the last 3 of 10):\nline 8\nline 9\nline 10',
    );
    expect(capture.fileLines()).toEqual(captured);
  });

  it('clips a line that is a dumped payload', () => {
    const capture = new LogCapture();
    capture.add('', 'x'.repeat(5_000));
    const [line] = capture.endTest().lines;
    expect(line).toHaveLength(2_000 + '… [clipped]'.length);
  });

  it('is found through the global it was installed on, and only there', () => {
    const capture = new LogCapture();
    const target = {};
    installLogCapture(target, capture);
    expect(activeLogCapture()).toBeUndefined();
    installLogCapture(globalThis, capture);
    try {
      expect(activeLogCapture()).toBe(capture);
    } finally {
      delete (globalThis as Record<symbol, unknown>)[
        Symbol.for('connect-provisioning.test-log-capture')
      ];
    }
  });
});
