import type { Collection, Document } from 'mongodb';
import type { Connection, Model } from 'mongoose';

/**
 * How to read many documents by `_id`. MongoDB answers `{_id: {$in: [...]}}` from the `_id`
 * index in one round trip. The stand-in (FerretDB 1.24 on SQLite) pushes down only a filter
 * that is exactly `{_id: "<string>"}`; any other filter, `$in` included, decodes the whole
 * collection: 1.7 s for 20 of 50,000 documents, measured. There, single-`_id` reads in
 * parallel take milliseconds. Both servers support both; the choice is only speed.
 */
export type IdLookup = 'in' | 'each';

export const ID_LOOKUPS = ['auto', 'in', 'each'] as const;

const lookups = new WeakMap<Connection, Promise<IdLookup>>();

/** Fixes the lookup of a connection instead of detecting it (MONGODB_ID_LOOKUP). */
export function setIdLookup(connection: Connection, lookup: IdLookup): void {
  lookups.set(connection, Promise.resolve(lookup));
}

/** `each` on FerretDB (its buildInfo names its version), `in` on MongoDB. Asked once. */
export function idLookupOf(connection: Connection): Promise<IdLookup> {
  let lookup = lookups.get(connection);
  if (!lookup) {
    lookup = detect(connection);
    lookups.set(connection, lookup);
  }
  return lookup;
}

async function detect(connection: Connection): Promise<IdLookup> {
  await connection.asPromise();
  const info = await connection.db?.admin().command({ buildInfo: 1 });
  return info && 'ferretdbVersion' in info ? 'each' : 'in';
}

// Reads in flight at once on the stand-in: well inside its 100 SQLite connections per database.
const PARALLEL_READS = 20;

/** The documents among `ids` that exist (in no particular order), read the fast way. */
export async function findByIds<T extends Document>(
  model: Pick<Model<unknown>, 'collection' | 'db'>,
  ids: readonly string[],
  projection: Record<string, 0 | 1>,
): Promise<T[]> {
  if (ids.length === 0) return [];
  // The raw collection: plain documents, as lean() gives, with string ids the driver accepts.
  const collection = model.collection as unknown as Collection<T & { _id: string }>;
  if ((await idLookupOf(model.db)) === 'in')
    return (await collection
      .find({ _id: { $in: [...ids] } } as never, { projection })
      .toArray()) as T[];
  const found: T[] = [];
  for (let i = 0; i < ids.length; i += PARALLEL_READS) {
    const docs = await Promise.all(
      ids
        .slice(i, i + PARALLEL_READS)
        .map((id) => collection.findOne({ _id: id } as never, { projection })),
    );
    for (const doc of docs) if (doc) found.push(doc as T);
  }
  return found;
}
