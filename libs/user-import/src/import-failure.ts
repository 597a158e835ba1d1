import { MAX_TEXT_LENGTH } from '@app/contracts';

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
  // The contract bounds the message; a longer one would make the completion unpublishable.
  return { code, message: truncate(error.message, MAX_TEXT_LENGTH) };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
