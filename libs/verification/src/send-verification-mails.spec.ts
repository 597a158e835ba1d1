import { sendIdFor } from './request-progress';
import {
  type MailRequest,
  SendVerificationMails,
  type VerificationMail,
  type VerificationMailer,
} from './send-verification-mails';
import { emptyBatch, InMemoryProgressStore } from './testing/in-memory-progress-store';
import type { SentMark, StateWrite, UserState, UserStateStore } from './user-state';
import {
  checkLink,
  hashVerificationToken,
  type VerificationLink,
  type VerificationLinkStore,
} from './verification-link';

const now = new Date('2026-11-25T10:00:00Z');

function memoryStore(initial: UserState[]): UserStateStore & { marks: SentMark[] } {
  const states = new Map(initial.map((s) => [s.userId, s]));
  const marks: SentMark[] = [];
  return {
    marks,
    findByUserIds: async (_t, ids) => ids.flatMap((id) => states.get(id) ?? []),
    saveMany: async (writes: readonly StateWrite[]) => {
      for (const w of writes) states.set(w.state.userId, w.state);
      return { published: emptyBatch(), conflicts: [] };
    },
    markSent: async (m) => void marks.push(...m),
    markLinked: async () => undefined,
  };
}

function memoryLinks(): VerificationLinkStore & { all: VerificationLink[] } {
  const all: VerificationLink[] = [];
  return {
    all,
    insertMany: async (links) => void all.push(...links),
    findByHash: async (hash) => all.find((l) => l.hash === hash),
  };
}

const anna: UserState = {
  tenantId: 't',
  userId: 'anna',
  email: 'anna@example.se',
  status: 'unverified',
  displayName: 'Anna',
};

/** The slots of the part setUp records: the users in the order given. */
const slots = new Map<string, number>();

function requestFor(user: UserState, finalAttempt = false): MailRequest {
  return {
    eventId: `event-${user.userId}`,
    finalAttempt,
    data: {
      tenantId: 't',
      userId: user.userId,
      requestId: 'r',
      part: 1,
      slot: slots.get(user.userId) ?? 0,
      sendId: sendIdFor('t', 'r', user.userId),
      email: 'anna@example.se',
    },
  };
}

const COMPLETED = JSON.stringify(['t', 'r']);

async function setUp(users: UserState[], mailer: VerificationMailer) {
  const store = memoryStore(users);
  const links = memoryLinks();
  const progress = new InMemoryProgressStore();
  const standing = await progress.recordPart({
    tenantId: 't',
    requestId: 'r',
    part: { index: 1, count: 1 },
    users: users.map((u) => ({ userId: u.userId, outcome: 'due' })),
  });
  slots.clear();
  for (const [userId, { slot }] of standing) slots.set(userId, slot);
  const sut = new SendVerificationMails(store, links, progress, mailer, {
    tokenTtlMs: 7 * 86_400_000,
    source: '/test',
  });
  return { store, links, progress, sut };
}

describe('SendVerificationMails', () => {
  it('R2: sends a link stored only as a hash, marks the user sent and completes the request', async () => {
    const sent: VerificationMail[] = [];
    const { sut, store, links, progress } = await setUp([anna], {
      send: async (m) => (sent.push(m), 'sent'),
    });

    const result = await sut.execute([requestFor(anna)], now);

    expect(result.outcomes.get('event-anna')).toBe('sent');
    expect(sent).toEqual([expect.objectContaining({ to: 'anna@example.se', displayName: 'Anna' })]);
    expect(links.all).toHaveLength(1);
    const link = links.all[0]!;
    expect(link.hash).toBe(hashVerificationToken(sent[0]!.token));
    expect(JSON.stringify(links.all)).not.toContain(sent[0]!.token);
    expect(checkLink(link, { ...anna, status: 'verification_sent' }, now)).toBe('valid');
    expect(store.marks).toEqual([
      { tenantId: 't', userId: 'anna', email: 'anna@example.se', at: now },
    ]);
    expect(progress.settledEvents.map((e) => e.data)).toEqual([
      expect.objectContaining({ status: 'verification_sent', userId: 'anna', requestId: 'r' }),
    ]);
    expect(progress.completed.get(COMPLETED)?.data).toMatchObject({
      requested: 1,
      sent: 1,
      failed: 0,
    });
  });

  it('records a permanent refusal (5xx) as failed with its reason and still completes', async () => {
    const { sut, progress, store } = await setUp([anna], {
      send: async () => ({ rejected: 'SMTP 550' }),
    });
    const result = await sut.execute([requestFor(anna)], now);
    expect(result.outcomes.get('event-anna')).toBe('failed');
    expect(store.marks).toEqual([]);
    expect(progress.settledEvents[0]?.data).toMatchObject({
      status: 'unverified',
      reason: 'SMTP 550',
    });
    expect(progress.completed.get(COMPLETED)?.data).toMatchObject({ sent: 0, failed: 1 });
  });

  it('leaves a transient failure to the retries, and settles it failed on the last attempt', async () => {
    const busy = Object.assign(new Error('451 try later'), { responseCode: 451 });
    const { sut, progress } = await setUp([anna], {
      send: async () => {
        throw busy;
      },
    });
    const first = await sut.execute([requestFor(anna)], now);
    expect(first.retry.get('event-anna')).toBe(busy);
    expect(progress.completed.has(COMPLETED)).toBe(false);

    const last = await sut.execute([requestFor(anna, true)], now);
    expect(last.retry.size).toBe(0);
    expect(last.outcomes.get('event-anna')).toBe('failed');
    expect(progress.completed.get(COMPLETED)?.data).toMatchObject({ failed: 1 });
  });

  it('does not mail a user who was linked meanwhile, nor one settled already', async () => {
    const send = jest.fn(async () => 'sent' as const);
    const bo = { ...anna, userId: 'bo', status: 'linked' as const };
    const { sut, progress } = await setUp([anna, bo], { send });
    const first = await sut.execute([requestFor(bo), requestFor(anna)], now);
    expect(first.outcomes).toEqual(
      new Map([
        ['event-bo', 'already_linked'],
        ['event-anna', 'sent'],
      ]),
    );
    const again = await sut.execute([requestFor(anna)], now);
    expect(again.outcomes.get('event-anna')).toBe('already_settled');
    expect(send).toHaveBeenCalledTimes(1);
    const slot = (n: number) => ({ tenantId: 't', requestId: 'r', part: 1, slot: n });
    expect([progress.outcomeOf(slot(0)), progress.outcomeOf(slot(1))]).toEqual([
      'sent',
      'already_linked',
    ]);
  });

  it('does not mail an address the user has given up since the decision', async () => {
    const send = jest.fn();
    const { sut, progress } = await setUp([{ ...anna, email: 'anna.ny@example.se' }], { send });
    const result = await sut.execute([requestFor(anna)], now);
    expect(result.outcomes.get('event-anna')).toBe('failed');
    expect(progress.settledEvents[0]?.data).toMatchObject({ reason: 'address_changed' });
    expect(send).not.toHaveBeenCalled();
  });
});
