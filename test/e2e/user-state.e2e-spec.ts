import mongoose from 'mongoose';
import { ID_LIST_LENGTH, UserStateRepository, VerificationLinkRepository } from '@app/persistence';
import {
  checkLink,
  decideVerification,
  hashVerificationToken,
  issueLink,
  type UserState,
} from '@app/verification';
import { isolatedEnv } from '../support/test-env';

// User states and links on the real database server: what is stored, and what is not.
describe('user states and verification links (real database server)', () => {
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

  it("reads many users of one tenant by _id, and none of another tenant's", async () => {
    const users = ['u1', 'u2', 'u3'].map((userId) => ({
      ...anna,
      userId,
      email: `${userId}@x.se`,
    }));
    await repo.saveMany(users.map((state) => ({ state, events: [] })));
    const asked = ['u3', 'nobody', 'u1', 'u2'];
    const found = await repo.findByUserIds('t', asked);
    expect(found.map((u) => u.userId).sort()).toEqual(['u1', 'u2', 'u3']);
    expect(found.every((u) => u.version === 1)).toBe(true);
    expect(await repo.findByUserIds('other-tenant', asked)).toEqual([]);
  });

  it('reads more users than one id list holds: every one found once, in lists of 100', async () => {
    const many = Array.from({ length: 2 * ID_LIST_LENGTH + 37 }, (_, i) => ({
      ...anna,
      userId: `many-${i}`,
      email: `many-${i}@x.se`,
    }));
    await repo.saveMany(many.map((state) => ({ state, events: [] })));
    const asked = [...many.map((u) => u.userId), 'nobody'];
    const found = await repo.findByUserIds('t', asked);
    expect(found.map((u) => u.userId).sort()).toEqual(many.map((u) => u.userId).sort());
    expect(await repo.findByUserIds('other-tenant', asked)).toEqual([]);
  });

  it('links a user once, and never one whose address changed', async () => {
    const user = { ...anna, userId: 'link-me', email: 'link-me@x.se' };
    const moved = { ...anna, userId: 'moved', email: 'new@x.se' };
    await repo.saveMany([user, moved].map((state) => ({ state, events: [] })));
    const link = (u: UserState, email: string) =>
      repo.markLinked({
        tenantId: u.tenantId,
        userId: u.userId,
        email,
        verifiedAt: now,
        linkedAt: now,
        events: [],
      });

    expect(await link(user, user.email)).toBeDefined();
    expect(await link(user, user.email)).toBeUndefined(); // already linked
    expect(await link(moved, 'old@x.se')).toBeUndefined(); // address changed
    const states = await repo.findByUserIds('t', [user.userId, moved.userId]);
    expect(states.map((u) => [u.userId, u.status, u.version]).sort()).toEqual([
      ['link-me', 'linked', 2],
      ['moved', 'unverified', 1],
    ]);
  });

  it('does not apply a write made on a state another writer changed since it was read', async () => {
    const frida = { ...anna, userId: 'frida', email: 'frida@x.se' };
    await repo.saveMany([{ state: frida, events: [] }]);
    const [read] = await repo.findByUserIds('t', ['frida']);
    // The linker links her after the read...
    await repo.markLinked({
      ...frida,
      verifiedAt: now,
      linkedAt: now,
      events: [],
      email: frida.email,
    });
    // ...so an import's new address, decided on the old read, is refused, and said to be.
    const write = { before: read, state: { ...read!, email: 'other@x.se' }, events: [] };
    const { conflicts, published } = await repo.saveMany([write]);
    expect(conflicts).toEqual([write]);
    expect(published.pending).toEqual([]);
    const [after] = await repo.findByUserIds('t', ['frida']);
    expect(after).toMatchObject({ email: 'frida@x.se', status: 'linked' });
    // A new user created by two writers at once: one of them is told.
    const gustav = { ...anna, userId: 'gustav' };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => repo.saveMany([{ state: gustav, events: [] }])),
    );
    expect(results.filter((r) => r.conflicts.length === 0)).toHaveLength(1);
  });

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

  it('marks a mail sent only while the user still has the address it went to', async () => {
    const hanna = { ...anna, userId: 'hanna', email: 'hanna.ny@x.se' };
    await repo.saveMany([{ state: hanna, events: [] }]);
    await repo.markSent([{ tenantId: 't', userId: 'hanna', email: 'hanna.old@x.se', at: now }]);
    const [after] = await repo.findByUserIds('t', ['hanna']);
    expect(after?.status).toBe('unverified');
    expect(after?.lastSentAt).toBeUndefined();
  });

  it('keeps links for the configured retention after they expire (a TTL index)', async () => {
    const indexes = await db.collection('verification_links').indexes();
    expect(indexes).toContainEqual(
      expect.objectContaining({ key: { expiresAt: 1 }, expireAfterSeconds: 30 * 86_400 }),
    );
    await new VerificationLinkRepository(db, { retentionDays: 7 }).init();
    const changed = await db.collection('verification_links').indexes();
    expect(changed.filter((i) => i.key.expiresAt)).toEqual([
      expect.objectContaining({ expireAfterSeconds: 7 * 86_400 }),
    ]);
  });
});
