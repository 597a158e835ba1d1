/** Why a file as a whole cannot be imported; the contract's `error.code` of a failed import. */
export type ImportFileFailure =
  | 'file_unavailable'
  // Refused by where the file is: outside the upload roots, a host or address not allowed.
  | 'forbidden_location'
  | 'too_large'
  | 'checksum_mismatch'
  | 'unreadable_format'
  | 'missing_column'
  | 'time_limit';

/**
 * The file cannot be imported as a whole: nothing is applied and the import completes as
 * `failed` with this code and message. Not retried: the same file fails the same way.
 */
export class ImportFileError extends Error {
  readonly failureKind = 'permanent';

  constructor(
    readonly code: ImportFileFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ImportFileError';
  }
}
