// What MongoDB answers when a write meets what already exists.

const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;

/** An insert whose unique _id or index value is taken: "already done" for idempotent writes. */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number }).code === DUPLICATE_KEY;
}

/** An unordered bulk insert whose only failures were duplicate keys. */
export function onlyDuplicateKeys(error: unknown): boolean {
  const e = error as { code?: number; writeErrors?: { code?: number; err?: { code?: number } }[] };
  if (e.writeErrors?.length)
    return e.writeErrors.every((w) => (w.code ?? w.err?.code) === DUPLICATE_KEY);
  return e.code === DUPLICATE_KEY;
}

/**
 * The positions, in an unordered bulk write, of the operations that failed on a duplicate key;
 * undefined when anything else failed too.
 */
export function duplicateKeyPositions(error: unknown): number[] | undefined {
  if (!onlyDuplicateKeys(error)) return undefined;
  const writeErrors = (error as { writeErrors?: { index?: number }[] }).writeErrors ?? [];
  const positions = writeErrors.map((w) => w.index);
  return positions.every((p): p is number => typeof p === 'number') ? positions : undefined;
}

/** For createCollection at start-up: an existing collection is fine. */
export function ignoreNamespaceExists(error: unknown): void {
  if ((error as { code?: number }).code === NAMESPACE_EXISTS) return;
  throw error;
}
