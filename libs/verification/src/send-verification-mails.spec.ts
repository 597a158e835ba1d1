import type { VerificationMailRequestedData } from '@app/contracts';
import { sendIdFor } from './request-progress';
import {
  SendVerificationMail,
  type VerificationMail,
  type VerificationMailer,
} from './send-verification-mail';
import { InMemoryProgressStore } from './testing/in-memory-progress-store';
import type { StateWrite, UserState, UserStateStore } from './user-state';
import { checkToken } from './verification-token';

const cause = { eventId: 'e', source: '/test', at: new Date('2026-11-25T10:00:00Z') };

function memoryStore(
  initial: UserState[],
): UserStateStore & { get(userId: string): UserState | undefined } {
  const states = new Map(initial.map((s) => [s.userId, s]));
  return {
    get: (userId) => states.get(userId),
    findByUserIds: async (_t, ids) => ids.flatMap((id) => states.get(id) ?? []),
    saveMany: async (writes: readonly StateWrite[]) => {
      for (const w of writes) states.set(w.state.userId, w.state);
      return {
        store: { name: 'memory', findStale: async () => [], acknowledge: async () => undefined },
        pending: [],
      };
    },
  };
}

async function setUp(user: UserState, mailer: VerificationMailer) {
  const store = memoryStore([user]);
  const progress = new InMemoryProgressStore();
  await progress.recordOutcomes([
    { tenantId: 't', requestId: 'r', userId: user.userId, outcome: 'due' },
  ]);
  await progress.countPart('r', 't', { index: 1, count: 1 }, 1);
  const sut = new SendVerificationMail(store, progress, mailer, { tokenTtlMs: 7 * 86_400_000 });
  const request: VerificationMailRequestedData = {
    tenantId: 't',
    userId: user.userId,
    requestId: 'r',
    sendId: sendIdFor('t', 'r', user.userId),
    email: 'anna@example.se',
  };
  return { store, progress, sut, request };
}

const anna: UserState = {
  tenantId: 't',
  userId: 'anna',
  email: 'anna@example.se',
  status: 'unverified',
  displayName: 'Anna',
};

describe('SendVerificationMail', () => {
  it('sends a link whose token is stored only as a hash, marks the user verification_sent and completes the request (R2)', async () => {
    const sent: VerificationMail[] = [];
    const { sut, store, progress, request } = await setUp(anna, {
      send: async (m) => (sent.push(m), 'sent'),
    });

    const result = await sut.execute(request, cause);

    expect(result.outcome).toBe('sent');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      to: 'anna@example.se',
      sendId: request.sendId,
      displayName: 'Anna',
    });
    const after = store.get('anna')!;
    expect(after).toMatchObject({ status: 'verification_sent', lastSentAt: cause.at });
    expect(JSON.stringify(after)).not.toContain(sent[0]!.token);
    expect(checkToken(after, sent[0]!.token, cause.at)).toBe('valid');
    expect(result.completion).toBeDefined();
    expect(progress.completed.get('r')?.data).toMatchObject({ requested: 1, sent: 1, failed: 0 });
  });

  it('records a permanent refusal (5xx) as failed and still completes the request', async () => {
    const { sut, progress, request } = await setUp(anna, {
      send: async () => ({ rejected: '550 no such user' }),
    });
    expect((await sut.execute(request, cause)).outcome).toBe('failed');
    expect(progress.completed.get('r')?.data).toMatchObject({ sent: 0, failed: 1 });
  });

  it('leaves a transient failure to the retries: nothing is settled', async () => {
    const { sut, progress, request } = await setUp(anna, {
      send: async () => {
        throw Object.assign(new Error('451 try later'), { responseCode: 451 });
      },
    });
    await expect(sut.execute(request, cause)).rejects.toMatchObject({ responseCode: 451 });
    expect(progress.completed.has('r')).toBe(false);
  });

  it('does not mail a user who was linked meanwhile', async () => {
    const send = jest.fn();
    const { sut, request } = await setUp({ ...anna, status: 'linked' }, { send });
    expect((await sut.execute(request, cause)).outcome).toBe('already_linked');
    expect(send).not.toHaveBeenCalled();
  });
});
