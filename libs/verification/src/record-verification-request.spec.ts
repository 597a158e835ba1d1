import type { VerificationRequestedData } from '@app/contracts';
import { RecordVerificationRequest } from './record-verification-request';
import type { UserState, UserStateStore } from './user-state';

function storeWith(states: UserState[]): jest.Mocked<UserStateStore> {
  return {
    findByUserIds: jest.fn(async (_tenant: string, ids: readonly string[]) =>
      states.filter((s) => ids.includes(s.userId)),
    ),
    saveMany: jest.fn(async (_states: readonly UserState[]) => undefined),
  };
}

function request(users: VerificationRequestedData['users']): VerificationRequestedData {
  return {
    requestId: 'req-1',
    tenantId: 't1',
    requestedBy: { userId: 'admin' },
    users,
    part: { index: 1, count: 1 },
    resend: false,
  };
}

describe('RecordVerificationRequest', () => {
  it('saves the address an administrator entered for a new user as unverified (R1)', async () => {
    const store = storeWith([]);
    const sut = new RecordVerificationRequest(store);

    const changes = await sut.execute(request([{ userId: 'u1', email: 'anna@example.se' }]));

    expect(changes).toEqual([
      {
        tenantId: 't1',
        userId: 'u1',
        status: 'unverified',
        email: 'anna@example.se',
        requestId: 'req-1',
      },
    ]);
    expect(store.saveMany).toHaveBeenCalledWith([
      expect.objectContaining({ userId: 'u1', email: 'anna@example.se', status: 'unverified' }),
    ]);
  });

  it('records a user without any address as no_email', async () => {
    const sut = new RecordVerificationRequest(storeWith([]));
    const changes = await sut.execute(request([{ userId: 'u2' }]));
    expect(changes).toEqual([
      expect.objectContaining({ userId: 'u2', status: 'no_email', email: null }),
    ]);
  });

  it('never changes the address of a user linked to Visma Connect (R8)', async () => {
    const linked: UserState = {
      tenantId: 't1',
      userId: 'u3',
      email: 'old@example.se',
      status: 'linked',
    };
    const store = storeWith([linked]);
    const changes = await new RecordVerificationRequest(store).execute(
      request([{ userId: 'u3', email: 'new@example.se' }]),
    );
    expect(changes).toEqual([]);
    expect(store.saveMany).toHaveBeenCalledWith([]);
  });

  it('restarts verification when a verified user gets a new address', async () => {
    const verified: UserState = {
      tenantId: 't1',
      userId: 'u4',
      email: 'a@example.se',
      status: 'verified',
    };
    const changes = await new RecordVerificationRequest(storeWith([verified])).execute(
      request([{ userId: 'u4', email: 'b@example.se' }]),
    );
    expect(changes).toEqual([
      expect.objectContaining({ status: 'unverified', email: 'b@example.se' }),
    ]);
  });

  it('reports nothing when the same request is recorded again', async () => {
    const same: UserState = {
      tenantId: 't1',
      userId: 'u5',
      email: 'a@example.se',
      status: 'unverified',
    };
    const changes = await new RecordVerificationRequest(storeWith([same])).execute(
      request([{ userId: 'u5', email: 'a@example.se' }]),
    );
    expect(changes).toEqual([]);
  });

  it('takes the last entry when a user is listed twice', async () => {
    const changes = await new RecordVerificationRequest(storeWith([])).execute(
      request([
        { userId: 'u6', email: 'first@example.se' },
        { userId: 'u6', email: 'second@example.se' },
      ]),
    );
    expect(changes).toEqual([
      expect.objectContaining({ userId: 'u6', email: 'second@example.se' }),
    ]);
  });
});
