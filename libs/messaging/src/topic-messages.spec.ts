import { groupByTopic } from './topic-messages';

describe('groupByTopic', () => {
  it('groups messages per topic and keeps their order within each topic', () => {
    const m = (value: string) => ({ value });
    expect(
      groupByTopic([
        { topic: 'a', message: m('1') },
        { topic: 'b', message: m('2') },
        { topic: 'a', message: m('3') },
      ]),
    ).toEqual([
      { topic: 'a', messages: [m('1'), m('3')] },
      { topic: 'b', messages: [m('2')] },
    ]);
  });
});
