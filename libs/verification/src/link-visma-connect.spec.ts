import type { EmailVerifiedData } from '@app/contracts';
import { emptyBatch } from './testing/in-memory-progress-store';
import { type EmailVerifiedRecord, LinkVismaConnect } from './link-visma-connect';
import type { Cause, LinkWrite, UserState } from './user-state';

const cause: Cause = { eventId: 'evt-1', source: '/test', at: new Date('2026-11-21T10:00:00Z') };
const verified: EmailVerifiedData = {
  tenantId: 't',
  userId: 'u',
  email: 'Anna@Example.se',
  verifiedAt: '2026-11-21T09:59:00.000Z',
  method: 'link',
};

function linker(state: UserState | undefined, writeSucceeds = true) {
  const writes: LinkWrite[] = [];
  const records: EmailVerifiedRecord[] = [];
  const use = new LinkVismaConnect(
    {
      findByUserIds: async () => (state ? [state] : []),
      markLinked: async (write) => {
        writes.push(write);
        return writeSucceeds ? emptyBatch() : undefined;
      },
    },
    { record: async (entry) => void records.push(entry) },
  );
  return { use, writes, records };
}

const unverified: UserState = {
  tenantId: 't',
  userId: 'u',
  email: 'anna@example.se',
  status: 'verification_sent',
};

describe('R3: LinkVismaConnect', () => {
  it('links a user whose saved address was proved, with one VismaConnectLinked per user and address', async () => {
    const { use, writes, records } = linker(unverified);
    const result = await use.execute(verified, cause);
    expect(result.outcome).toBe('linked');
    expect(writes).toHaveLength(1);
    const [linkedEvent, statusEvent] = writes[0]?.events ?? [];
    expect(linkedEvent).toMatchObject({
      type: 'VismaConnectLinked',
      data: { email: 'anna@example.se', verifiedAt: verified.verifiedAt },
    });
    expect(statusEvent).toMatchObject({
      type: 'VerificationStatusChanged',
      data: { status: 'linked' },
    });
    // The same fact from another event (a second link, Visma Connect itself) has the same id.
    const again = linker(unverified);
    await again.use.execute(verified, { ...cause, eventId: 'evt-2' });
    expect(again.writes[0]?.events[0]?.id).toBe(linkedEvent?.id);
    expect(records).toEqual([expect.objectContaining({ eventId: 'evt-1', outcome: 'linked' })]);
  });

  it.each([
    ['stale', 'the user has another address now', { ...unverified, email: 'new@example.se' }],
    ['already_linked', 'the user is linked', { ...unverified, status: 'linked' as const }],
    [
      'stale',
      'the user has no address',
      { ...unverified, email: null, status: 'no_email' as const },
    ],
    ['unknown_user', 'the user is unknown', undefined],
  ])('records %s and writes nothing when %s', async (outcome, _why, state) => {
    const { use, writes, records } = linker(state);
    await expect(use.execute(verified, cause)).resolves.toEqual({ outcome });
    expect(writes).toHaveLength(0);
    expect(records[0]?.outcome).toBe(outcome);
  });

  it('treats a write that no longer matches (address changed meanwhile) as stale', async () => {
    const { use, records } = linker(unverified, false);
    await expect(use.execute(verified, cause)).resolves.toEqual({ outcome: 'stale' });
    expect(records[0]?.outcome).toBe('stale');
  });
});
