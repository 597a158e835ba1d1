import type { Db } from 'mongodb';
import type { Connection } from 'mongoose';
import { RateLimiterMemory, RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';

export const RATE_LIMIT_COLLECTION = 'rate_limits';

/** One counted request, as @nestjs/throttler's ThrottlerStorage returns it (times in seconds). */
export interface RateLimitHit {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * Request counts per client key in MongoDB (rate-limiter-flexible's RateLimiterMongo), so every
 * instance of an app behind one address shares one budget per client. Shaped as a
 * ThrottlerStorage: pass it to ThrottlerModule as `storage`. Keys carry the app's scope, so
 * two apps on one database never count each other's requests.
 *
 * While MongoDB does not answer, each process counts in its own memory (the library's
 * insurance limiter): the limit still holds per instance instead of failing every request.
 */
export class MongoRateLimits {
  private readonly db: Db;
  private readonly limiters = new Map<string, RateLimiterMongo>();

  constructor(
    connection: Connection,
    private readonly scope: string,
  ) {
    if (!connection.db) throw new Error('MongoRateLimits needs a connected connection');
    this.db = connection.db;
  }

  /** The unique index on the key, and the TTL index MongoDB expires windows by. */
  async init(): Promise<void> {
    await this.limiterFor('init', 60_000, 1, 60_000).createIndexes();
  }

  /**
   * Counts one request of `key` in a window of `ttlMs`; over `limit`, the key is blocked for
   * `blockDurationMs` from the request that crossed it.
   */
  async increment(
    key: string,
    ttlMs: number,
    limit: number,
    blockDurationMs: number,
    throttlerName: string,
  ): Promise<RateLimitHit> {
    const limiter = this.limiterFor(throttlerName, ttlMs, limit, blockDurationMs);
    try {
      const res = await limiter.consume(key);
      return { ...counted(res), isBlocked: false, timeToBlockExpire: 0 };
    } catch (refusal) {
      // The library rejects with its result when over the limit, with an Error otherwise.
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      return { ...counted(refusal), isBlocked: true, timeToBlockExpire: seconds(refusal) };
    }
  }

  private limiterFor(name: string, ttlMs: number, limit: number, blockMs: number) {
    const id = JSON.stringify([name, ttlMs, limit, blockMs]);
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const options = {
        keyPrefix: `${this.scope}:${name}`,
        points: limit,
        duration: Math.max(1, Math.ceil(ttlMs / 1000)),
        blockDuration: Math.max(1, Math.ceil(blockMs / 1000)),
      };
      limiter = new RateLimiterMongo({
        ...options,
        storeClient: this.db,
        tableName: RATE_LIMIT_COLLECTION,
        // Made by init() at start-up, where a failure stops the process.
        disableIndexesCreation: true,
        insuranceLimiter: new RateLimiterMemory(options),
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

function counted(res: RateLimiterRes): Pick<RateLimitHit, 'totalHits' | 'timeToExpire'> {
  return { totalHits: res.consumedPoints, timeToExpire: seconds(res) };
}

function seconds(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}
