import mongoose from 'mongoose';
import { UserStateRepository } from '@app/persistence';
import { checkToken, decideVerification, issueToken, type UserState } from '@app/verification';
import { isolatedEnv } from '../support/test-env';

// User states on the real MongoDB-wire server: what is stored, and what is not.
describe('user states (real MongoDB-wire server)', () => {
  const env = isolatedEnv('userstate');
  let db: mongoose.Connection;
  let repo: UserStateRepository;
  const now = new Date('2026-11-25T12:00:00Z');

  beforeAll(async () => {
    db = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
    repo = new UserStateRepository(db);
    await repo.init();
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

  it('stores verification links as hashes only, and they still open after a round trip', async () => {
    const { token, state } = issueToken(anna, now);
    await repo.saveMany([{ state, events: [] }]);

    const raw = await db.collection('user_states').findOne({ userId: 'anna' });
    expect(JSON.stringify(raw)).not.toContain(token);
    const [loaded] = await repo.findByUserIds('t', ['anna']);
    expect(checkToken(loaded!, token, now)).toBe('valid');
  });

  it('voids stored links when an administrator enters a new address', async () => {
    const { token, state } = issueToken({ ...anna, userId: 'bo' }, now);
    await repo.saveMany([{ state, events: [] }]);
    const [before] = await repo.findByUserIds('t', ['bo']);
    const changed = decideVerification(
      { tenantId: 't', userId: 'bo', email: 'bo.new@example.se' },
      before,
      {
        resend: false,
        now,
        policy: { coolDownMs: 600_000 },
      },
    );
    await repo.saveMany([{ state: changed.state, events: [] }]);

    const [after] = await repo.findByUserIds('t', ['bo']);
    expect(after).toMatchObject({ email: 'bo.new@example.se', status: 'unverified', tokens: [] });
    expect(checkToken(after!, token, now)).toBe('unknown');
  });
});
