/**
 * Most update statements sent in one command. FerretDB 1.24 on SQLite, the stand-in of the
 * tests, holds one pooled SQLite connection per statement of an `update` command until the
 * command ends, from a pool of 100 per database: one command of 100 statements, or several
 * concurrent ones adding up to 100, wait for each other forever and lock that database for
 * good (measured, with a goroutine dump; docs/local-stack.md). Ten per command keeps the
 * worker's few concurrent writers well below that. On MongoDB the smaller commands cost a
 * few extra round trips; each statement costs far more than a round trip on the stand-in.
 */
export const MAX_UPDATES_PER_COMMAND = 10;

/** Runs `write` on consecutive slices of `ops`, one command at a time. */
export async function writeInChunks<T>(
  ops: readonly T[],
  write: (chunk: T[]) => Promise<unknown>,
  size = MAX_UPDATES_PER_COMMAND,
): Promise<void> {
  for (let start = 0; start < ops.length; start += size)
    await write(ops.slice(start, start + size));
}
