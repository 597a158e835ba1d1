import { timelineOf } from './user-timeline';

describe('timelineOf', () => {
  const at = (minute: number) => new Date(`2026-11-26T10:${String(minute).padStart(2, '0')}:00Z`);

  it('merges sends, uses, verifications and the state, oldest first, addresses masked', () => {
    const timeline = timelineOf({
      state: {
        tenantId: 't1',
        userId: 'u1',
        email: 'anna.svensson@example.se',
        status: 'linked',
        addressSetAt: at(1),
        lastSentAt: at(2),
        verifiedAt: at(5),
        linkedAt: at(6),
      },
      links: [
        {
          requestId: 'r2',
          sendId: 's2',
          email: 'anna.svensson@example.se',
          issuedAt: at(4),
          expiresAt: at(50),
        },
        {
          requestId: 'r1',
          sendId: 's1',
          email: 'anna.svensson@example.se',
          issuedAt: at(2),
          expiresAt: at(40),
        },
      ],
      outcomes: new Map([['s1', 'sent' as const]]),
      uses: [{ email: 'anna.svensson@example.se', usedAt: at(5) }],
      verifications: [
        {
          eventId: 'e1',
          tenantId: 't1',
          userId: 'u1',
          method: 'link',
          outcome: 'linked',
          verifiedAt: at(5),
          handledAt: at(6),
        },
      ],
    });
    expect(timeline.user).toMatchObject({ status: 'linked', maskedEmail: 'a***@e***.se' });
    expect(timeline.entries.map((e) => e.kind)).toEqual([
      'address_set',
      'mail',
      'mail',
      'link_used',
      'email_verified',
      'linked',
    ]);
    expect(timeline.entries[1]).toMatchObject({ requestId: 'r1', outcome: 'sent' });
    expect(timeline.entries[2]).toMatchObject({ requestId: 'r2', outcome: 'unknown' });
    expect(JSON.stringify(timeline)).not.toContain('anna.svensson');
  });

  it('has no user and no entries for someone never seen', () => {
    expect(timelineOf({ links: [], outcomes: new Map(), uses: [], verifications: [] })).toEqual({
      entries: [],
    });
  });
});
