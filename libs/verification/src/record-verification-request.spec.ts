import type { CloudEvent, VerificationRequestedData } from '@app/contracts';
import { RecordVerificationRequest } from './record-verification-request';
import { InMemoryProgressStore } from './testing/in-memory-progress-store';
import {
  StateConflictError,
  type Cause,
  type StateWrite,
  type UserState,
  type UserStateStore,
} from './user-state';

const cause: Cause = { eventId: 'evt-1', source: '/test', at: new Date('2026-11-25T10:00:00Z') };
const outboxStore = { name: 'test', findStale: jest.fn(), acknowledge: jest.fn() };

function storeWith(states: UserState[]): jest.Mocked<UserStateStore> {
  return {
    findByUserIds: jest.fn(async (_tenant: string, ids: readonly string[]) =>
      states.filter((s) => ids.includes(s.userId)),
    ),
    saveMany: jest.fn(async (writes: readonly StateWrite[]) => ({
      published: {
        store: outboxStore,
        pending: writes.map((w) => ({ ownerId: w.state.userId, entries: [] })),
      },
      conflicts: [],
    })),
    markSent: jest.fn(),
    markLinked: jest.fn(),
  };
}

function request(
  users: VerificationRequestedData['users'],
  part = { index: 1, count: 1 },
): VerificationRequestedData {
  return {
    requestId: 'req-1',
    tenantId: 't1',
    requestedBy: { userId: 'admin' },
    users,
    part,
    resend: false,
  };
}

type HandedOff = CloudEvent<'VerificationMailRequested'>[];

/** A hand-off port that keeps what it was given, and when, beside the saves. */
function handOffs(order: string[] = []) {
  const handed: HandedOff = [];
  const handOff = jest.fn(async (events: readonly CloudEvent<'VerificationMailRequested'>[]) => {
    order.push('hand-off');
    handed.push(...events);
  });
  return { handed, handOff };
}

async function record(states: UserState[], users: VerificationRequestedData['users']) {
  const store = storeWith(states);
  const publish = jest.fn(async () => undefined);
  const { handed, handOff } = handOffs();
  const result = await new RecordVerificationRequest(
    store,
    new InMemoryProgressStore(),
    { coolDownMs: 600_000 },
    publish,
    handOff,
  ).execute(request(users), cause);
  return { store, publish, handed, ...result };
}

describe('RecordVerificationRequest', () => {
  it('R1: saves the address an administrator entered for a new user as unverified', async () => {
    const { changes, store, handed } = await record(
      [],
      [{ userId: 'u1', email: 'anna@example.se' }],
    );

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
      {
        state: expect.objectContaining({
          userId: 'u1',
          email: 'anna@example.se',
          status: 'unverified',
        }),
        events: [
          expect.objectContaining({
            type: 'VerificationStatusChanged',
            data: expect.objectContaining({ userId: 'u1' }),
          }),
        ],
      },
    ]);
    // Due a mail: handed to the mail step once the state is saved, outside the outbox.
    expect(handed).toEqual([
      expect.objectContaining({
        type: 'VerificationMailRequested',
        data: expect.objectContaining({
          userId: 'u1',
          email: 'anna@example.se',
          requestId: 'req-1',
        }),
      }),
    ]);
  });

  it('saves each status change with its VerificationStatusChanged, and hands over a due mail after the save', async () => {
    const order: string[] = [];
    const store = storeWith([]);
    store.saveMany.mockImplementation(async () => {
      order.push('save');
      return { published: { store: outboxStore, pending: [] }, conflicts: [] };
    });
    const { handed, handOff } = handOffs(order);
    await new RecordVerificationRequest(
      store,
      new InMemoryProgressStore(),
      { coolDownMs: 600_000 },
      async () => {},
      handOff,
    ).execute(request([{ userId: 'u1', email: 'a@example.se' }, { userId: 'u2' }]), cause);
    const writes = store.saveMany.mock.calls[0]?.[0] ?? [];
    expect(writes.map((w) => [w.state.userId, w.events.map((e) => e.data)])).toEqual([
      [
        'u1',
        [expect.objectContaining({ status: 'unverified', occurredAt: '2026-11-25T10:00:00.000Z' })],
      ],
      ['u2', [expect.objectContaining({ status: 'no_email', email: null })]],
    ]);
    expect(handed.map((e) => e.data)).toEqual([
      expect.objectContaining({ userId: 'u1', email: 'a@example.se' }),
    ]);
    expect(order).toEqual(['save', 'hand-off']);
  });

  it('publishes the saved status changes as soon as they are saved', async () => {
    const { publish } = await record(
      [],
      [{ userId: 'u1', email: 'a@example.se' }, { userId: 'u2' }],
    );
    // Published as soon as saved.
    expect(publish).toHaveBeenCalledWith(
      expect.objectContaining({ pending: [expect.anything(), expect.anything()] }),
    );
  });

  it('gives a change caused by the same event the same event id, so a replay is recognisable', async () => {
    const first = await record([], [{ userId: 'u1', email: 'a@example.se' }]);
    const second = await record([], [{ userId: 'u1', email: 'a@example.se' }]);
    const idOf = (r: typeof first) => r.store.saveMany.mock.calls[0]?.[0][0]?.events[0]?.id;
    expect(idOf(first)).toBeDefined();
    expect(idOf(first)).toBe(idOf(second));
  });

  it('records a user without any address as no_email', async () => {
    const { changes } = await record([], [{ userId: 'u2' }]);
    expect(changes).toEqual([
      expect.objectContaining({ userId: 'u2', status: 'no_email', email: null }),
    ]);
  });

  it('R8: never changes the address of a user linked to Visma Connect', async () => {
    const linked: UserState = {
      tenantId: 't1',
      userId: 'u3',
      email: 'old@example.se',
      status: 'linked',
    };
    const { changes, store } = await record([linked], [{ userId: 'u3', email: 'new@example.se' }]);
    expect(changes).toEqual([]);
    expect(store.saveMany).not.toHaveBeenCalled();
  });

  it('restarts verification when a verified user gets a new address', async () => {
    const verified: UserState = {
      tenantId: 't1',
      userId: 'u4',
      email: 'a@example.se',
      status: 'verified',
    };
    const { changes } = await record([verified], [{ userId: 'u4', email: 'b@example.se' }]);
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
    const { changes } = await record([same], [{ userId: 'u5', email: 'a@example.se' }]);
    expect(changes).toEqual([]);
  });

  it('R5: mails a user with an unchanged saved address without rewriting its state', async () => {
    const saved: UserState = {
      tenantId: 't1',
      userId: 'u5',
      email: 'a@example.se',
      status: 'unverified',
      displayName: 'Anna',
    };
    const { store, handed } = await record(
      [saved],
      [{ userId: 'u5', email: 'a@example.se', displayName: 'Anna' }],
    );
    expect(store.saveMany).not.toHaveBeenCalled();
    expect(handed.map((e) => e.data)).toEqual([
      expect.objectContaining({ userId: 'u5', email: 'a@example.se', displayName: 'Anna' }),
    ]);
  });

  it('keeps a new display name or locale the request carries for an otherwise unchanged user', async () => {
    const saved: UserState = {
      tenantId: 't1',
      userId: 'u5',
      email: 'a@example.se',
      status: 'unverified',
      displayName: 'Anna',
    };
    const { store } = await record(
      [saved],
      [{ userId: 'u5', email: 'a@example.se', displayName: 'Anna Berg', locale: 'en' }],
    );
    const writes = store.saveMany.mock.calls[0]?.[0] ?? [];
    expect(writes).toEqual([
      {
        before: saved,
        state: expect.objectContaining({ displayName: 'Anna Berg', locale: 'en' }),
        events: [],
      },
    ]);
  });

  it('hands over the mail of an outcome that stands due, even if a redelivery decides otherwise', async () => {
    // First delivery: u1 was due a mail, then the process died before saving the hand-off.
    const progress = new InMemoryProgressStore();
    await progress.recordPart({
      tenantId: 't1',
      requestId: 'req-1',
      part: { index: 1, count: 1 },
      users: [{ userId: 'u1', outcome: 'due' }],
    });
    // Meanwhile u1 was mailed by another request: this delivery alone would say recently_sent.
    const mailed: UserState = {
      tenantId: 't1',
      userId: 'u1',
      email: 'anna@example.se',
      status: 'verification_sent',
      lastSentAt: cause.at,
    };
    const store = storeWith([mailed]);
    const { handed, handOff } = handOffs();
    await new RecordVerificationRequest(
      store,
      progress,
      { coolDownMs: 600_000 },
      async () => {},
      handOff,
    ).execute(request([{ userId: 'u1' }]), cause);
    // The mail step settles it (it skips what is settled); the request can complete.
    expect(handed.map((e) => e.type)).toEqual(['VerificationMailRequested']);
    // It names the part and slot the mail step settles.
    expect(handed[0]?.data).toMatchObject({ part: 1, slot: 0 });
  });

  it('decides a user again when another writer changed it between the read and the write', async () => {
    const before: UserState = {
      tenantId: 't1',
      userId: 'u1',
      email: 'anna@example.se',
      status: 'unverified',
      version: 3,
    };
    // Linked by the linker after this step read version 3.
    const linked: UserState = { ...before, status: 'linked', version: 4 };
    const store = storeWith([before]);
    store.saveMany.mockImplementationOnce(async (writes) => ({
      published: { store: outboxStore, pending: [] },
      conflicts: [...writes],
    }));
    store.findByUserIds
      .mockImplementationOnce(async () => [before])
      .mockImplementationOnce(async () => [linked]);
    const { handed, handOff } = handOffs();
    const { changes } = await new RecordVerificationRequest(
      store,
      new InMemoryProgressStore(),
      { coolDownMs: 600_000 },
      async () => {},
      handOff,
    ).execute(request([{ userId: 'u1', email: 'new@example.se' }]), cause);
    // The second decision sees the link: nothing to write, the address is not changed (R8).
    expect(store.saveMany).toHaveBeenCalledTimes(1);
    expect(changes).toEqual([]);
    // The outcome recorded first stands (due); its hand-off names the address the user has,
    // never the one the lost write would have stored. The mail step skips a linked user.
    expect(handed.map((e) => e.data.email)).toEqual(['anna@example.se']);
  });

  it('gives up with a retriable error when the users keep changing', async () => {
    const store = storeWith([]);
    store.saveMany.mockImplementation(async (writes) => ({
      published: { store: outboxStore, pending: [] },
      conflicts: [...writes],
    }));
    const sut = new RecordVerificationRequest(
      store,
      new InMemoryProgressStore(),
      { coolDownMs: 600_000 },
      async () => {},
      async () => {},
    );
    await expect(sut.execute(request([{ userId: 'u1' }]), cause)).rejects.toBeInstanceOf(
      StateConflictError,
    );
    expect(store.saveMany).toHaveBeenCalledTimes(3);
  });

  it('does not save an invalid entered address, and reports the user as invalid_email', async () => {
    const { changes, outcomes } = await record([], [{ userId: 'u7', email: 'anna@example' }]);
    expect(outcomes).toEqual([
      { userId: 'u7', decision: { kind: 'skip', reason: 'invalid_email' } },
    ]);
    expect(changes).toEqual([
      expect.objectContaining({ userId: 'u7', status: 'no_email', email: null }),
    ]);
  });

  it('R5: reports the send decision for users who are due a mail', async () => {
    const { outcomes } = await record(
      [],
      [{ userId: 'u8', email: 'anna@example.se' }, { userId: 'u9' }],
    );
    expect(outcomes).toEqual([
      { userId: 'u8', decision: { kind: 'send', email: 'anna@example.se' } },
      { userId: 'u9', decision: { kind: 'skip', reason: 'no_email' } },
    ]);
  });

  it('takes the last entry when a user is listed twice', async () => {
    const { changes } = await record(
      [],
      [
        { userId: 'u6', email: 'first@example.se' },
        { userId: 'u6', email: 'second@example.se' },
      ],
    );
    expect(changes).toEqual([
      expect.objectContaining({ userId: 'u6', email: 'second@example.se' }),
    ]);
  });
});

describe('RecordVerificationRequest: batch completion', () => {
  function recorder(progress = new InMemoryProgressStore()) {
    return {
      progress,
      sut: new RecordVerificationRequest(
        storeWith([]),
        progress,
        { coolDownMs: 600_000 },
        async () => {},
        async () => {},
      ),
    };
  }

  it('completes a request once its last part is in and no mail is due, with the counts', async () => {
    const { sut, progress } = recorder();
    const first = await sut.execute(request([{ userId: 'a' }], { index: 2, count: 2 }), cause);
    expect(first.completion).toBeUndefined();
    const last = await sut.execute(
      request([{ userId: 'b' }, { userId: 'c', email: 'bad@' }], { index: 1, count: 2 }),
      cause,
    );
    expect(last.completion).toBeDefined();
    expect(progress.completed.get(JSON.stringify(['t1', 'req-1']))?.data).toMatchObject({
      requested: 3,
      sent: 0,
      failed: 0,
      skipped: { no_email: 2, invalid_email: 1 },
    });
  });

  it('does not complete while a verification mail is still due', async () => {
    const { sut } = recorder();
    const result = await sut.execute(request([{ userId: 'a', email: 'anna@example.se' }]), cause);
    expect(result.outcomes[0]?.decision.kind).toBe('send');
    expect(result.completion).toBeUndefined();
  });

  it('counts a user listed by two parts once, in the first part recorded, and mails it once', async () => {
    const { sut, progress } = recorder();
    await sut.execute(
      request([{ userId: 'a', email: 'a@example.se' }], { index: 1, count: 2 }),
      cause,
    );
    const second = await sut.execute(
      request([{ userId: 'a', email: 'a@example.se' }, { userId: 'b' }], { index: 2, count: 2 }),
      cause,
    );
    expect(second.outcomes.map((o) => o.userId)).toEqual(['b']);
    const tally = (await progress.progress('t1', 'req-1'))?.tally;
    expect(tally).toMatchObject({ requested: 2, due: 1 });
  });

  it('completes only once when the last part is delivered again', async () => {
    const { sut } = recorder();
    expect((await sut.execute(request([{ userId: 'a' }]), cause)).completion).toBeDefined();
    expect((await sut.execute(request([{ userId: 'a' }]), cause)).completion).toBeUndefined();
  });
});
