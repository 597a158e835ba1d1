import { lagOf } from './consumer-lag';

describe('lagOf', () => {
  const ends = [
    {
      topic: 't',
      partitions: [
        { partition: 0, high: '10', low: '0' },
        { partition: 1, high: '7', low: '2' },
      ],
    },
  ];

  it('is the high watermark minus the committed offset, per group and partition', () => {
    const lag = lagOf(
      [
        {
          group: 'g',
          topics: [
            {
              topic: 't',
              partitions: [
                { partition: 0, offset: '10' },
                { partition: 1, offset: '4' },
              ],
            },
          ],
        },
      ],
      ends,
    );
    expect(lag).toEqual([
      { group: 'g', topic: 't', partition: 0, committed: 10, high: 10, lag: 0 },
      { group: 'g', topic: 't', partition: 1, committed: 4, high: 7, lag: 3 },
    ]);
  });

  it('counts a partition the group never committed on from its low watermark', () => {
    const [row] = lagOf(
      [{ group: 'new', topics: [{ topic: 't', partitions: [{ partition: 1, offset: '-1' }] }] }],
      ends,
    );
    expect(row).toEqual({ group: 'new', topic: 't', partition: 1, high: 7, lag: 5 });
  });
});
