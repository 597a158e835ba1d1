import mongoose from 'mongoose';
import { MailDeliveryRepository } from '@app/persistence';
import type { MailDelivery } from '@app/verification';
import { isolatedEnv } from '../support/test-env';

// The delivery records on the real server: claims that meet another sender's record lose,
// per write, inside one unordered bulk write; a reclaim holds only while nothing changed.
describe('mail delivery records (real MongoDB)', () => {
  const env = isolatedEnv('deliveries');
  let db: mongoose.Connection;
  let store: MailDeliveryRepository;
  const at = new Date('2026-12-03T10:00:00Z');
  const claim = (tenantId: string, sendId: string, sender: string): MailDelivery => ({
    tenantId,
    sendId,
    status: 'claimed',
    sender,
    claimedAt: at,
    linkIssuedAt: at,
  });

  beforeAll(async () => {
    db = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
    store = new MailDeliveryRepository(db);
    await store.init();
  });
  afterAll(async () => {
    await db?.dropDatabase();
    await db?.close();
  });

  it('claims once per tenant and send, answers in the same bulk write, and reads them back', async () => {
    expect(
      await store.write([
        { kind: 'claim', delivery: claim('a', 's1', 'w1') },
        { kind: 'claim', delivery: claim('b', 's1', 'w1') },
      ]),
    ).toEqual([true, true]);
    // Another sender's claim of a1 loses; w1's answer of a1 and a claim of a2 go through.
    expect(
      await store.write([
        { kind: 'claim', delivery: claim('a', 's1', 'w2') },
        {
          kind: 'answer',
          key: { tenantId: 'a', sendId: 's1' },
          sender: 'w1',
          status: 'accepted',
          at,
        },
        { kind: 'claim', delivery: claim('a', 's2', 'w1') },
      ]),
    ).toEqual([false, true, true]);
    const found = await store.findDeliveries([
      { tenantId: 'a', sendId: 's1' },
      { tenantId: 'a', sendId: 's2' },
      { tenantId: 'b', sendId: 's1' },
      { tenantId: 'c', sendId: 's1' },
    ]);
    expect(found.map((d) => [d.tenantId, d.sendId, d.status, d.sender]).sort()).toEqual([
      ['a', 's1', 'accepted', 'w1'],
      ['a', 's2', 'claimed', 'w1'],
      ['b', 's1', 'claimed', 'w1'],
    ]);
  });

  it('releases only its own claim, and reclaims only what it found', async () => {
    await store.write([{ kind: 'claim', delivery: claim('r', 's', 'w1') }]);
    await store.write([
      { kind: 'answer', key: { tenantId: 'r', sendId: 's' }, sender: 'w2', status: 'released', at },
    ]);
    expect((await store.findDeliveries([{ tenantId: 'r', sendId: 's' }]))[0]?.status).toBe(
      'claimed',
    );
    const later = new Date(at.getTime() + 60_000);
    const reclaim = (sender: string) => ({
      kind: 'reclaim' as const,
      delivery: { ...claim('r', 's', sender), claimedAt: later },
      found: { status: 'claimed' as const, claimedAt: at },
    });
    // Two senders reclaim the same expired claim at once: one wins.
    const [first, second] = await Promise.all([
      store.write([reclaim('w3')]),
      store.write([reclaim('w4')]),
    ]);
    expect([first[0], second[0]].sort()).toEqual([false, true]);
    const [record] = await store.findDeliveries([{ tenantId: 'r', sendId: 's' }]);
    expect(record).toMatchObject({ status: 'claimed', claimedAt: later });
    expect(['w3', 'w4']).toContain(record?.sender);
  });
});
