import { formatMailDate } from './format-date';

describe('formatMailDate', () => {
  const winter = new Date('2025-01-08T13:30:00Z');
  const summer = new Date('2025-07-08T12:30:00Z');

  it('gives Swedish wall-clock time, with the zone said, in either language', () => {
    expect(formatMailDate(winter, 'sv')).toBe('onsdag 8 januari 2025 kl. 14:30 (svensk tid)');
    expect(formatMailDate(winter, 'en')).toBe('Wednesday, 8 January 2025 at 14:30 (Swedish time)');
  });

  it('gives each date and language its own text when calls alternate (the last text is kept)', () => {
    const calls: [Date, 'sv' | 'en'][] = [
      [winter, 'sv'],
      [winter, 'sv'],
      [summer, 'sv'],
      [winter, 'en'],
      [summer, 'en'],
      [winter, 'sv'],
    ];
    expect(calls.map(([d, l]) => formatMailDate(d, l))).toEqual([
      'onsdag 8 januari 2025 kl. 14:30 (svensk tid)',
      'onsdag 8 januari 2025 kl. 14:30 (svensk tid)',
      'tisdag 8 juli 2025 kl. 14:30 (svensk tid)',
      'Wednesday, 8 January 2025 at 14:30 (Swedish time)',
      'Tuesday, 8 July 2025 at 14:30 (Swedish time)',
      'onsdag 8 januari 2025 kl. 14:30 (svensk tid)',
    ]);
  });

  it('refuses an invalid date', () => {
    expect(() => formatMailDate(new Date('nope'), 'sv')).toThrow(RangeError);
  });
});
