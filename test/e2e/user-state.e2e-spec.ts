import mongoose from 'mongoose';
import {
  idLookupOf,
  setIdLookup,
  UserStateRepository,
  VerificationLinkRepository,
} from '@app/persistence';
import {
  checkLink,
  decideVerification,
  hashVerificationToken,
  issueLink,
  type UserState,
} from '@app/verification';
import { isolatedEnv } from '../support/test-env';

// User states and links on the real MongoDB-wire server: what is stored, and what is not.
describe('user states and verification links (real MongoDB-wire server)', () => {
  const env = isolatedEnv('userstate');
  let db: mongoose.Connection;
  let repo: UserStateRepository;
  let links: VerificationLinkRepository;
  const now = new Date('2026-11-25T12:00:00Z');

  beforeAll(async () => {
    db = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
    repo = new UserStateRepository(db);
    links = new VerificationLinkRepository(db);
    await repo.init();
    await links.init();
  });
  afterAll(async () => {
    await db?.dropDatabase();
    await db?.close();
  });

  const anna: UserState = {
    tenantId: 't',
    userId: 'anna',
    email: 'anna@example.se',
    status: 'unverified',
  };
  const sendTo = (user: UserState) => ({
    tenantId: user.tenantId,
    userId: user.userId,
    email: user.email!,
    requestId: 'r',
    sendId: `send-${user.userId}`,
  });

  it('reads many users by _id the same way with $in (MongoDB) and with single reads (the stand-in)', async () => {
    const users = ['u1', 'u2', 'u3'].map((userId) => ({
      ...anna,
      userId,
      email: `${userId}@x.se`,
    }));
    await repo.saveMany(users.map((state) => ({ state, events: [] })));
    const asked = ['u3', 'nobody', 'u1', 'u2'];
    expect(await idLookupOf(db)).toBe('each');
    const each = await repo.findByUserIds('t', asked);
    const other = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
    try {
      setIdLookup(other, 'in');
      const viaIn = await new UserStateRepository(other).findByUserIds('t', asked);
      const sorted = (list: UserState[]) =>
        [...list].sort((a, b) => (a.userId < b.userId ? -1 : 1));
      expect(sorted(viaIn)).toEqual(sorted(each));
      expect(each.map((u) => u.userId).sort()).toEqual(['u1', 'u2', 'u3']);
      expect(await repo.findByUserIds('other-tenant', asked)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it.each(['each', 'in'] as const)(
    'links a user once, and never one whose address changed (%s: the stand-in reads, MongoDB guards)',
    async (lookup) => {
      const other = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
      try {
        setIdLookup(other, lookup);
        const states = new UserStateRepository(other);
        const user = { ...anna, userId: `link-${lookup}`, email: `link-${lookup}@x.se` };
        const moved = { ...anna, userId: `moved-${lookup}`, email: `new-${lookup}@x.se` };
        await states.saveMany([user, moved].map((state) => ({ state, events: [] })));
        const link = (u: UserState, email: string) =>
          states.markLinked({
            tenantId: u.tenantId,
            userId: u.userId,
            email,
            verifiedAt: now,
            linkedAt: now,
            events: [],
          });

        expect(await link(user, user.email)).toBeDefined();
        expect(await link(user, user.email)).toBeUndefined(); // already linked
        expect(await link(moved, `old-${lookup}@x.se`)).toBeUndefined(); // address changed
        const [linked, notLinked] = await states.findByUserIds('t', [user.userId, moved.userId]);
        expect([linked, notLinked].map((u) => [u?.userId, u?.status]).sort()).toEqual(
          [
            [user.userId, 'linked'],
            [moved.userId, 'unverified'],
          ].sort(),
        );
      } finally {
        await other.close();
      }
    },
  );

  it('stores verification links as hashes only, and they still open after a round trip', async () => {
    await repo.saveMany([{ state: anna, events: [] }]);
    const { token, link } = issueLink(sendTo(anna), now);
    await links.insertMany([link]);
    await links.insertMany([link]); // a repeat is harmless

    const raw = await db.collection('verification_links').find({}).toArray();
    expect(JSON.stringify(raw)).not.toContain(token);
    const found = await links.findByHash(hashVerificationToken(token));
    const [state] = await repo.findByUserIds('t', ['anna']);
    expect(checkLink(found, state, now)).toBe('valid');
    expect(await links.findByHash(hashVerificationToken('guess'))).toBeUndefined();
  });

  it('voids earlier links when an administrator enters a new address', async () => {
    const bo = { ...anna, userId: 'bo' };
    await repo.saveMany([{ state: bo, events: [] }]);
    const { token, link } = issueLink(sendTo(bo), now);
    await links.insertMany([link]);
    const [before] = await repo.findByUserIds('t', ['bo']);
    const later = new Date(now.getTime() + 1000);
    const changed = decideVerification(
      { tenantId: 't', userId: 'bo', email: 'bo.new@example.se' },
      before,
      { resend: false, now: later, policy: { coolDownMs: 600_000 } },
    );
    await repo.saveMany([{ before, state: changed.state, events: [] }]);

    const [after] = await repo.findByUserIds('t', ['bo']);
    expect(after).toMatchObject({ email: 'bo.new@example.se', status: 'unverified' });
    expect(checkLink(await links.findByHash(hashVerificationToken(token)), after, later)).toBe(
      'voided',
    );
  });

  it('marks a mail sent without touching other fields, and never undoes a verification', async () => {
    const cecilia = { ...anna, userId: 'cecilia', displayName: 'Cecilia' };
    const david = { ...anna, userId: 'david', status: 'verified' as const };
    await repo.saveMany([
      { state: cecilia, events: [] },
      { state: david, events: [] },
    ]);
    await repo.markSent([
      { tenantId: 't', userId: 'cecilia', email: 'anna@example.se', at: now },
      { tenantId: 't', userId: 'david', email: 'anna@example.se', at: now },
    ]);
    const states = await repo.findByUserIds('t', ['cecilia', 'david']);
    expect(states.find((s) => s.userId === 'cecilia')).toMatchObject({
      status: 'verification_sent',
      lastSentAt: now,
      displayName: 'Cecilia',
    });
    expect(states.find((s) => s.userId === 'david')).toMatchObject({ status: 'verified' });
  });

  it('writes only the fields a decision changed, so a concurrent mark survives', async () => {
    const erik = { ...anna, userId: 'erik' };
    await repo.saveMany([{ state: erik, events: [] }]);
    const [read] = await repo.findByUserIds('t', ['erik']);
    // Meanwhile the mail step marks an earlier mail sent...
    await repo.markSent([{ tenantId: 't', userId: 'erik', email: 'anna@example.se', at: now }]);
    // ...and a decision made on the older read saves only its own change.
    await repo.saveMany([{ before: read, state: { ...read!, displayName: 'Erik' }, events: [] }]);
    const [after] = await repo.findByUserIds('t', ['erik']);
    expect(after).toMatchObject({
      displayName: 'Erik',
      status: 'verification_sent',
      lastSentAt: now,
    });
  });
});
