import {
  createEvent,
  emailVerifiedByLinkId,
  type AnyCloudEvent,
  type OutboxBatch,
} from '@app/contracts';
import type { UserStateStore } from './user-state';
import {
  checkLink,
  hashVerificationToken,
  tokenMatches,
  type LinkCheck,
  type VerificationLink,
  type VerificationLinkStore,
} from './verification-link';

/** A verification link that was used: inserted once, so the second POST of it finds it. */
export interface LinkUse {
  /** The link's hash: `_id` of the record, so only one use per link can ever be stored. */
  hash: string;
  tenantId: string;
  userId: string;
  email: string;
  usedAt: Date;
  /** The link's expiry: the use is kept as long as the link is. */
  linkExpiresAt: Date;
}

/** Where uses are kept; the persistence library implements it. */
export interface LinkUseStore {
  findByHash(hash: string): Promise<LinkUse | undefined>;
  /**
   * Stores the use with its events in one insert; undefined when the link was used already
   * (another POST won): only one of any number of concurrent POSTs gets a batch back.
   */
  insert(use: LinkUse, events: readonly AnyCloudEvent[]): Promise<OutboxBatch | undefined>;
}

export type LinkProblem = Exclude<LinkCheck, 'valid'>;

/** What GET shows. It never changes anything: mail scanners follow links. */
export type LinkPage =
  | { kind: 'confirm'; email: string; expiresAt: Date }
  | { kind: 'already_verified' }
  | { kind: 'problem'; problem: LinkProblem };

/** What POST did. */
export type LinkConfirmation =
  | { kind: 'verified'; published: OutboxBatch }
  | { kind: 'already_verified' }
  | { kind: 'problem'; problem: LinkProblem };

// newVerificationToken makes 43 base64url characters; anything else cannot be a token.
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

type Inspection =
  | { kind: 'usable'; link: VerificationLink }
  | { kind: 'already_verified' }
  | { kind: 'problem'; problem: LinkProblem };

/**
 * The verification page's rules (R2): GET shows whose address a link proves, POST proves it.
 * A link used once stays "already verified" for its holder, even after the user is linked.
 */
export class VerificationLinkPage {
  constructor(
    private readonly links: Pick<VerificationLinkStore, 'findByHash'>,
    private readonly states: Pick<UserStateStore, 'findByUserIds'>,
    private readonly uses: LinkUseStore,
    private readonly options: { source: string },
  ) {}

  async open(token: string, now: Date): Promise<LinkPage> {
    const found = await this.inspect(token, now);
    if (found.kind !== 'usable') return found;
    return { kind: 'confirm', email: found.link.email, expiresAt: found.link.expiresAt };
  }

  async confirm(token: string, now: Date): Promise<LinkConfirmation> {
    const found = await this.inspect(token, now);
    if (found.kind !== 'usable') return found;
    const { link } = found;
    const event = emailVerifiedEvent(link, now, this.options.source);
    const use: LinkUse = {
      hash: link.hash,
      tenantId: link.tenantId,
      userId: link.userId,
      email: link.email,
      usedAt: now,
      linkExpiresAt: link.expiresAt,
    };
    const published = await this.uses.insert(use, [event]);
    return published ? { kind: 'verified', published } : { kind: 'already_verified' };
  }

  private async inspect(token: string, now: Date): Promise<Inspection> {
    if (!TOKEN_PATTERN.test(token)) return { kind: 'problem', problem: 'unknown' };
    const hash = hashVerificationToken(token);
    const [link, use] = await Promise.all([
      this.links.findByHash(hash),
      this.uses.findByHash(hash),
    ]);
    // The lookup was by hash; comparing again in constant time keeps a store that matched
    // loosely (a prefix, a collation) from opening a link.
    if (!link || !tokenMatches(token, link.hash)) return { kind: 'problem', problem: 'unknown' };
    if (use) return { kind: 'already_verified' };
    const [state] = await this.states.findByUserIds(link.tenantId, [link.userId]);
    const check = checkLink(link, state, now);
    return check === 'valid' ? { kind: 'usable', link } : { kind: 'problem', problem: check };
  }
}

function emailVerifiedEvent(link: VerificationLink, now: Date, source: string): AnyCloudEvent {
  return createEvent(
    'EmailVerified',
    {
      tenantId: link.tenantId,
      userId: link.userId,
      email: link.email,
      verifiedAt: now.toISOString(),
      method: 'link',
    },
    { source, id: emailVerifiedByLinkId(link.hash), time: now },
  );
}
