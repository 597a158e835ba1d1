import { progressBar, textTable, when } from './text-table';

describe('textTable', () => {
  it('pads columns to their widest cell and right-aligns the numeric ones', () => {
    expect(
      textTable(
        ['topic', 'n'],
        [
          ['a.long.topic', '5'],
          ['b', '120'],
        ],
        new Set([1]),
      ),
    ).toBe(['topic           n', 'a.long.topic    5', 'b             120'].join('\n'));
  });
});

describe('progressBar', () => {
  it('fills in proportion, with the percentage and the counts', () => {
    expect(progressBar(5, 20, 10)).toBe('[###.......]  25% 5/20');
    expect(progressBar(20, 20, 10)).toBe('[##########] 100% 20/20');
  });

  it('shows an unknown total as such instead of guessing', () => {
    expect(progressBar(3, undefined, 4)).toBe('[????]  3/?');
  });
});

describe('when', () => {
  it('is UTC to the second, or a dash', () => {
    expect(when(new Date('2026-11-26T10:00:00.123Z'))).toBe('2026-11-26T10:00:00Z');
    expect(when(undefined)).toBe('-');
  });
});
