/** The form bodies the web apps read: a CSRF field, a token and a return path, never more. */
export const FORM_BODY_LIMIT_BYTES = 16 * 1024;

/** A request body the parser refused: the client's mistake, answered without an error log. */
export interface BodyRefusal {
  /** 413 too large, 400 unreadable, 415 an unsupported charset or encoding. */
  status: 400 | 413 | 415;
  /** body-parser's reason, e.g. `entity.too.large`; safe to log (it quotes nothing sent). */
  reason: string;
}

const STATUSES = new Set([400, 413, 415]);

/**
 * Whether `error` is body-parser's refusal of a request body. Such errors are http-errors with
 * `expose: true`, a 4xx `status` and a `type`; anything else is ours and stays a 500.
 */
export function bodyRefusal(error: unknown): BodyRefusal | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  // Nest 12's Express adapter wraps http-errors in an HttpException with the original as cause.
  const { cause } = error as { cause?: unknown };
  if (cause !== undefined && cause !== error) {
    const wrapped = bodyRefusal(cause);
    if (wrapped) return wrapped;
  }
  const { status, expose, type } = error as Record<string, unknown>;
  if (expose !== true || typeof type !== 'string' || typeof status !== 'number') return undefined;
  if (!STATUSES.has(status)) return undefined;
  return { status: status as BodyRefusal['status'], reason: type };
}
