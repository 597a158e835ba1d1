import mongoose, { type Connection } from 'mongoose';
import { z } from 'zod';
import { positiveInt, urlString } from '@app/config';

export const mongoEnvSchema = z.object({
  MONGODB_URI: urlString(
    ['mongodb:', 'mongodb+srv:'],
    'must be a mongodb:// or mongodb+srv:// URI naming the database, e.g. mongodb://127.0.0.1:27017/connect-provisioning',
  ),
});

/** For the processes that keep verification links (the worker) or their uses (the page). */
export const linkRetentionEnvSchema = z.object({
  // Days a link and its use are kept after the link expired, so its page can still say so.
  // Set the same for the worker and the page: each makes the TTL index of what it writes.
  LINK_RETENTION_DAYS: positiveInt(30),
});

/**
 * One connection per process. autoIndex is off: indexes are created by the repositories'
 * init() at start-up, where a failure stops the process instead of the first query.
 */
export async function connectMongo(uri: string): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: 10_000,
  });
  await connection.asPromise();
  return connection;
}

/** True when the server answers a ping; used by health checks. */
export async function pingMongo(connection: Connection): Promise<boolean> {
  try {
    await connection.db?.admin().ping();
    return connection.db !== undefined;
  } catch {
    return false;
  }
}
