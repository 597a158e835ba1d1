import type { AnyCloudEvent, OutboxBatch } from '@app/contracts';
import { emptyBatch } from './testing/in-memory-progress-store';
import type { UserState } from './user-state';
import { issueLink, type VerificationLink } from './verification-link';
import { type LinkUse, type LinkUseStore, VerificationLinkPage } from './verification-link-page';

const issuedAt = new Date('2026-11-20T10:00:00Z');
const now = new Date('2026-11-21T10:00:00Z');
const state: UserState = {
  tenantId: 't',
  userId: 'u',
  email: 'anna@example.se',
  status: 'verification_sent',
  addressSetAt: new Date('2026-11-19T10:00:00Z'),
};

function world(user: UserState | undefined = state) {
  const links: VerificationLink[] = [];
  const uses = new Map<string, { use: LinkUse; events: readonly AnyCloudEvent[] }>();
  const useStore: LinkUseStore = {
    findByHash: async (hash) => uses.get(hash)?.use,
    insert: async (use, events): Promise<OutboxBatch | undefined> => {
      if (uses.has(use.hash)) return undefined;
      uses.set(use.hash, { use, events });
      return emptyBatch();
    },
  };
  const page = new VerificationLinkPage(
    { findByHash: async (hash) => links.find((l) => l.hash === hash) },
    { findByUserIds: async () => (user ? [user] : []) },
    useStore,
    { source: '/test' },
  );
  const issue = (email = 'anna@example.se', at = issuedAt, ttl?: number) => {
    const issued = issueLink(
      { tenantId: 't', userId: 'u', email, requestId: 'r', sendId: 's' },
      at,
      ttl,
    );
    links.push(issued.link);
    return issued.token;
  };
  return { page, issue, uses };
}

describe('R2: VerificationLinkPage (GET shows, POST proves)', () => {
  it('shows a valid link without using it', async () => {
    const { page, issue, uses } = world();
    const token = issue();
    await expect(page.open(token, now)).resolves.toMatchObject({
      kind: 'confirm',
      email: 'anna@example.se',
    });
    expect(uses.size).toBe(0);
  });

  it('verifies once with an EmailVerified per link, then says already verified', async () => {
    const { page, issue, uses } = world();
    const token = issue();
    await expect(page.confirm(token, now)).resolves.toMatchObject({ kind: 'verified' });
    const [stored] = [...uses.values()];
    expect(stored?.events).toHaveLength(1);
    expect(stored?.events[0]).toMatchObject({
      type: 'EmailVerified',
      data: { tenantId: 't', userId: 'u', email: 'anna@example.se', method: 'link' },
    });
    await expect(page.confirm(token, now)).resolves.toEqual({ kind: 'already_verified' });
    await expect(page.open(token, now)).resolves.toEqual({ kind: 'already_verified' });
  });

  it('gives the same event id to two uses of one link', async () => {
    const a = world();
    const token = a.issue();
    await a.page.confirm(token, now);
    const first = [...a.uses.values()][0]?.events[0]?.id;
    a.uses.clear();
    await a.page.confirm(token, now);
    expect([...a.uses.values()][0]?.events[0]?.id).toBe(first);
  });

  it.each([
    [
      'unknown',
      'a token nobody issued',
      (w: ReturnType<typeof world>) => (w.issue(), 'x'.repeat(43)),
    ],
    ['unknown', 'something that is not a token', () => '../../etc/passwd'],
    [
      'expired',
      'a link past its expiry',
      (w: ReturnType<typeof world>) => w.issue(undefined, issuedAt, 1000),
    ],
    [
      'voided',
      'a link to an address the user no longer has',
      (w: ReturnType<typeof world>) => w.issue('old@example.se'),
    ],
  ])('refuses %s: %s', async (problem, _what, tokenOf) => {
    const w = world();
    const token = tokenOf(w);
    await expect(w.page.open(token, now)).resolves.toEqual({ kind: 'problem', problem });
    await expect(w.page.confirm(token, now)).resolves.toEqual({ kind: 'problem', problem });
    expect(w.uses.size).toBe(0);
  });

  it('refuses links issued before the address was saved again, and links of linked users', async () => {
    const readded = world({ ...state, addressSetAt: new Date('2026-11-20T12:00:00Z') });
    await expect(readded.page.confirm(readded.issue(), now)).resolves.toEqual({
      kind: 'problem',
      problem: 'voided',
    });
    const linked = world({ ...state, status: 'linked' });
    await expect(linked.page.confirm(linked.issue(), now)).resolves.toEqual({
      kind: 'problem',
      problem: 'voided',
    });
  });
});
