import {
  decideReplay,
  defaultReplayGroupId,
  formatReplayLine,
  parseEventId,
  partitionRanges,
} from './dead-letter-replay-rules';

const source = 'hrm.verification-requested.v1';

describe('decideReplay', () => {
  it('replays a dead letter to the source topic its original-topic header names', () => {
    expect(
      decideReplay({ 'original-topic': Buffer.from(source) }, { sourceTopic: source }),
    ).toEqual({ replay: true, target: source });
  });

  it('replays to the source topic when the dead letter names no original topic', () => {
    expect(decideReplay({}, { sourceTopic: source })).toEqual({ replay: true, target: source });
    expect(decideReplay(undefined, { sourceTopic: source })).toEqual({
      replay: true,
      target: source,
    });
  });

  it('skips, with a reason, a dead letter whose original topic is another topic', () => {
    const decision = decideReplay(
      { 'original-topic': 'connect.email-verified.v1' },
      { sourceTopic: source },
    );
    expect(decision).toEqual({
      replay: false,
      target: 'connect.email-verified.v1',
      reason: `original-topic connect.email-verified.v1 is not ${source}; not writing into another topic`,
    });
  });

  it('replays only dead letters whose error-code equals the requested one', () => {
    const rule = { sourceTopic: source, errorCode: 'not_json' };
    expect(decideReplay({ 'error-code': Buffer.from('not_json') }, rule).replay).toBe(true);
    expect(decideReplay({ 'error-code': 'handler_failed' }, rule)).toEqual({
      replay: false,
      target: source,
      reason: 'error-code handler_failed is not not_json',
    });
    expect(decideReplay({}, rule)).toMatchObject({
      replay: false,
      reason: 'error-code (none) is not not_json',
    });
  });
});

describe('parseEventId', () => {
  it('reads the id of a JSON event', () => {
    expect(parseEventId(Buffer.from(JSON.stringify({ id: 'evt-1', type: 'X' })))).toBe('evt-1');
  });

  it.each([
    ['no value', null],
    ['a value that is not JSON', Buffer.from('{not json')],
    ['JSON that is not an object', Buffer.from('"evt-1"')],
    ['JSON null', Buffer.from('null')],
    ['an object without id', Buffer.from('{"type":"X"}')],
    ['an id that is not a string', Buffer.from('{"id":42}')],
  ])('gives no id, without throwing, for %s', (_label, value) => {
    expect(parseEventId(value)).toBeUndefined();
  });
});

describe('partitionRanges', () => {
  const watermarks = [
    { partition: 0, low: '0', high: '5' },
    { partition: 1, low: '3', high: '9' },
    { partition: 2, low: '0', high: '0' },
  ];

  it('reads each partition from the committed offset up to the high watermark seen now', () => {
    const committed = [
      { partition: 0, offset: '2' },
      { partition: 1, offset: '9' },
    ];
    expect(partitionRanges(watermarks, committed, false)).toEqual([
      { partition: 0, start: 2n, end: 5n },
      { partition: 1, start: 9n, end: 9n },
      { partition: 2, start: 0n, end: 0n },
    ]);
  });

  it('starts at the earliest retained offset when the group has none, or it was deleted', () => {
    const committed = [
      { partition: 0, offset: '-1' },
      { partition: 1, offset: '1' },
    ];
    expect(partitionRanges(watermarks, committed, false).map((r) => r.start)).toEqual([0n, 3n, 0n]);
  });

  it('rescans from the earliest retained offset when reading from the beginning', () => {
    const committed = [{ partition: 0, offset: '4' }];
    expect(partitionRanges(watermarks, committed, true).map((r) => r.start)).toEqual([0n, 3n, 0n]);
  });

  it('has nothing to read when the committed offset lies past the end (topic recreated)', () => {
    expect(partitionRanges(watermarks, [{ partition: 0, offset: '40' }], false)[0]).toEqual({
      partition: 0,
      start: 5n,
      end: 5n,
    });
  });
});

describe('formatReplayLine', () => {
  it('shows action, position, event id, error code and target on one line', () => {
    expect(
      formatReplayLine({
        partition: 0,
        offset: '12',
        eventId: 'evt-1',
        errorCode: 'not_json',
        action: 'replayed',
        target: source,
      }),
    ).toBe(`replayed  p0@12  evt=evt-1  error-code=not_json  -> ${source}`);
  });

  it('marks what is unknown with a dash and ends a skipped line with its reason', () => {
    expect(
      formatReplayLine({
        partition: 2,
        offset: '3',
        action: 'skipped',
        target: 'other',
        reason: 'why',
      }),
    ).toBe('skipped   p2@3  evt=-  error-code=-  -> other  (why)');
  });
});

describe('defaultReplayGroupId', () => {
  it('is one group per source topic, so each topic remembers its own position', () => {
    expect(defaultReplayGroupId(source)).toBe(`connect-provisioning.dlq-replay.${source}`);
  });
});
