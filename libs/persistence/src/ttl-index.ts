import type { Model } from 'mongoose';

/**
 * Ensures the TTL index that lets MongoDB delete a collection's documents `seconds` after the
 * date in `field`. MongoDB deletes in a background pass about once a minute; the local server
 * keeps the index but never deletes (docs/local-stack.md). So it only reclaims space: no
 * query's correctness waits for a deletion. Changing the retention rebuilds the index.
 */
export async function ensureTtlIndex(
  model: Pick<Model<unknown>, 'collection'>,
  field: string,
  seconds: number,
): Promise<void> {
  const name = `${field}_ttl`;
  const indexes = await model.collection.indexes();
  if (indexes.some((i) => i.name === name && i.expireAfterSeconds === seconds)) return;
  // The same key under another name, or with another retention (an earlier version's), goes.
  for (const index of indexes)
    if (index.name && index.name !== '_id_' && isKeyOf(index.key, field))
      await model.collection.dropIndex(index.name);
  await model.collection.createIndex({ [field]: 1 }, { name, expireAfterSeconds: seconds });
}

function isKeyOf(key: Record<string, unknown>, field: string): boolean {
  const fields = Object.keys(key);
  return fields.length === 1 && fields[0] === field;
}
