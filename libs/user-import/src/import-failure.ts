/** A file that cannot be imported as a whole: the contract's `error` of a failed import. */
export interface ImportFailure {
  code: string;
  message: string;
}

/** The failure an error stands for, if it is one (anything else is a bug or an outage). */
export function importFailureOf(error: unknown): ImportFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  const { failureKind, code } = error as Error & { failureKind?: unknown; code?: unknown };
  if (failureKind !== 'permanent' || typeof code !== 'string') return undefined;
  return { code, message: error.message };
}
