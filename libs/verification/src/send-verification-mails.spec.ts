import { sendIdFor } from './request-progress';
import {
  type MailRequest,
  SendVerificationMails,
  type VerificationMail,
  type VerificationMailer,
} from './send-verification-mails';
import { InMemoryDeliveryStore } from './testing/in-memory-delivery-store';
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

async function setUp(
  users: UserState[],
  mailer: VerificationMailer,
  options: {
    deliveries?: InMemoryDeliveryStore;
    maxInFlight?: number;
    wait?: (ms: number) => Promise<void>;
  } = {},
) {
  const store = memoryStore(users);
  const deliveries = options.deliveries ?? new InMemoryDeliveryStore();
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
  // As a transport that cannot hold a message's end: the holds first, then the send.
  const holding: VerificationMailer = {
    send: async (mail, hooks) => {
      await hooks?.beforeStart?.();
      await hooks?.beforeEnd?.();
      return mailer.send(mail);
    },
  };
  const sut = new SendVerificationMails(store, links, progress, deliveries, holding, {
    tokenTtlMs: 7 * 86_400_000,
    source: '/test',
    maxInFlight: options.maxInFlight ?? 5,
    claimLeaseMs: 30_000,
    sender: 'this-worker',
    wait: options.wait ?? (async () => undefined),
  });
  return { store, links, progress, deliveries, sut };
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

const users = (n: number): UserState[] =>
  Array.from({ length: n }, (_, i) => ({ ...anna, userId: `u${i}`, email: `u${i}@example.se` }));
const requestOf = (user: UserState, finalAttempt = false): MailRequest => {
  const request = requestFor(user, finalAttempt);
  return { ...request, data: { ...request.data, email: user.email ?? '' } };
};
const claimOf = (
  user: UserState,
  sender: string,
  claimedAt: Date,
  status: 'claimed' | 'accepted' = 'claimed',
) => ({
  tenantId: 't',
  sendId: sendIdFor('t', 'r', user.userId),
  status,
  sender,
  claimedAt,
  linkIssuedAt: claimedAt,
});

describe('SendVerificationMails after a crash (delivery records)', () => {
  it('never has more mails handed to SMTP without an answer on record than there are connections', async () => {
    const deliveries = new InMemoryDeliveryStore();
    const started = new Set<string>();
    let most = 0;
    const { sut } = await setUp(
      users(40),
      {
        send: async (m) => {
          started.add(m.sendId);
          const unanswered = deliveries.unanswered().filter((d) => started.has(d.sendId));
          most = Math.max(most, unanswered.length);
          await new Promise((resolve) => setTimeout(resolve, 1));
          return 'sent';
        },
      },
      { deliveries, maxInFlight: 3 },
    );
    const result = await sut.execute(
      users(40).map((u) => requestOf(u)),
      now,
    );
    expect([...result.outcomes.values()].filter((o) => o === 'sent')).toHaveLength(40);
    expect(most).toBe(3);
    expect(deliveries.unanswered()).toEqual([]);
    // One write claims the batch; answers ride together: far fewer writes than mails.
    expect(deliveries.writeCalls.length).toBeLessThan(40);
  });

  it('sends again only the mails without an answer when the batch comes back after a crash', async () => {
    const deliveries = new InMemoryDeliveryStore();
    const sent: string[] = [];
    const crash = new Error('the process died before the batch was settled');
    const first = await setUp(
      users(10),
      { send: async (m) => (sent.push(m.to), 'sent') },
      { deliveries },
    );
    first.store.markSent = async () => {
      throw crash;
    };
    await expect(
      first.sut.execute(
        users(10).map((u) => requestOf(u)),
        now,
      ),
    ).rejects.toBe(crash);
    expect(sent).toHaveLength(10);
    // The crash caught two mails on the wire: claimed, no answer, their lease run out since.
    const long = new Date(Date.now() - 60_000);
    for (const u of users(10).slice(8))
      deliveries.records.set(
        JSON.stringify(['t', sendIdFor('t', 'r', u.userId)]),
        claimOf(u, 'dead-worker', long),
      );

    const again = await setUp(
      users(10),
      { send: async (m) => (sent.push(m.to), 'sent') },
      { deliveries },
    );
    const result = await again.sut.execute(
      users(10).map((u) => requestOf(u)),
      now,
    );
    expect(sent.slice(10)).toEqual(['u8@example.se', 'u9@example.se']);
    expect([...result.outcomes.values()]).toEqual(Array(10).fill('sent'));
    expect(again.progress.completed.get(COMPLETED)?.data).toMatchObject({ sent: 10 });
    expect(again.store.marks).toHaveLength(10);
  });

  it('waits for the lease of a mail another sender has on the wire, then settles from its answer', async () => {
    const deliveries = new InMemoryDeliveryStore();
    const [u] = users(1);
    const key = JSON.stringify(['t', sendIdFor('t', 'r', u!.userId)]);
    deliveries.records.set(key, claimOf(u!, 'other-worker', new Date(Date.now() - 1_000)));
    const waits: number[] = [];
    const send = jest.fn(async () => 'sent' as const);
    const { sut } = await setUp(
      [u!],
      { send },
      {
        deliveries,
        wait: async (ms) => {
          waits.push(ms);
          // Meanwhile the other sender's server answered.
          deliveries.records.set(key, claimOf(u!, 'other-worker', new Date(), 'accepted'));
        },
      },
    );
    const result = await sut.execute([requestOf(u!)], now);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(25_000);
    expect(waits[0]).toBeLessThanOrEqual(29_000);
    expect(send).not.toHaveBeenCalled();
    expect(result.outcomes.get(requestOf(u!).eventId)).toBe('sent');
  });

  it('sends a mail whose claim ran out without an answer, and hands one still claimed to the retries', async () => {
    const deliveries = new InMemoryDeliveryStore();
    const [stale, held] = users(2);
    deliveries.records.set(
      JSON.stringify(['t', sendIdFor('t', 'r', stale!.userId)]),
      claimOf(stale!, 'dead', new Date(Date.now() - 31_000)),
    );
    // Claimed again and again by a live sender: still in flight after the wait.
    const heldKey = JSON.stringify(['t', sendIdFor('t', 'r', held!.userId)]);
    const renew = () => deliveries.records.set(heldKey, claimOf(held!, 'live', new Date()));
    renew();
    const sent: string[] = [];
    const { sut } = await setUp(
      users(2),
      { send: async (m) => (sent.push(m.to), 'sent') },
      { deliveries, wait: async () => void renew() },
    );
    const result = await sut.execute([requestOf(stale!), requestOf(held!)], now);
    expect(sent).toEqual(['u0@example.se']);
    expect(result.retry.get(requestOf(held!).eventId)).toMatchObject({
      code: 'mail_in_flight_elsewhere',
    });
  });

  it('releases the claim of a mail that failed in a way that may pass, so the retry sends it at once', async () => {
    const deliveries = new InMemoryDeliveryStore();
    let calls = 0;
    const { sut } = await setUp(
      [anna],
      {
        send: async () => {
          calls += 1;
          if (calls === 1) throw Object.assign(new Error('421 busy'), { responseCode: 421 });
          return 'sent';
        },
      },
      {
        deliveries,
        wait: async () => {
          throw new Error('a released mail is never waited for');
        },
      },
    );
    const first = await sut.execute([requestFor(anna)], now);
    expect(first.retry.size).toBe(1);
    expect([...deliveries.records.values()][0]).toMatchObject({ status: 'released' });
    const again = await sut.execute([requestFor(anna)], now);
    expect(again.outcomes.get('event-anna')).toBe('sent');
    expect([...deliveries.records.values()][0]).toMatchObject({ status: 'accepted' });
  });

  it('sends no more mails once an answer cannot be recorded (the database went away)', async () => {
    const deliveries = new InMemoryDeliveryStore();
    const down = new Error('the database is unreachable');
    const write = deliveries.write.bind(deliveries);
    let writes = 0;
    // The claim goes through; every answer after that fails.
    deliveries.write = async (w) => {
      writes += 1;
      if (writes > 1) throw down;
      return write(w);
    };
    const send = jest.fn(async () => 'sent' as const);
    const { sut } = await setUp(users(20), { send }, { deliveries, maxInFlight: 2 });
    await expect(
      sut.execute(
        users(20).map((u) => requestOf(u)),
        now,
      ),
    ).rejects.toBe(down);
    // The two mails in flight when the first answer failed, and not the other eighteen.
    expect(send).toHaveBeenCalledTimes(2);
  });
});
