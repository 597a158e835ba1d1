import mongoose, { type Connection } from 'mongoose';
import { z } from 'zod';
import { urlString } from '@app/config';
import { ID_LOOKUPS, setIdLookup } from './id-lookup';

export const mongoEnvSchema = z.object({
  MONGODB_URI: urlString(
    ['mongodb:', 'mongodb+srv:'],
    'must be a mongodb:// or mongodb+srv:// URI naming the database, e.g. mongodb://127.0.0.1:27017/connect-provisioning',
  ),
  // How many documents are read by _id: auto picks `in` on MongoDB, `each` on FerretDB.
  MONGODB_ID_LOOKUP: z.enum(ID_LOOKUPS).default('auto'),
});

/**
 * One connection per process. autoIndex is off: indexes are created by the repositories'
 * init() at start-up, where a failure stops the process instead of the first query.
 */
export async function connectMongo(
  uri: string,
  idLookup: (typeof ID_LOOKUPS)[number] = 'auto',
): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: 10_000,
  });
  await connection.asPromise();
  if (idLookup !== 'auto') setIdLookup(connection, idLookup);
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
