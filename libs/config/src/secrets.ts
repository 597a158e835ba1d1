import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { z } from 'zod';

// Words that only appear in secrets copied from an example: compose files, READMEs, templates.
// Standing on their own: a random base64 value spells "dummy" or "fixme" inside a longer run of
// letters and digits about once in 300,000 values (a clean-clone CI run met one).
const PLACEHOLDER_WORDS =
  /\b(?:change-?me|replace-?me|placeholder|your-?(?:secret|token|password)|example|dummy|insecure|not-?a-?secret|secret-?here|token-?here|fixme)\b/i;
const TRIVIAL = /^(?:secret|password|passwd|admin|root|test|token|default|guest|kafka|mongo)$/i;
// A random value of 32 hex characters has 16 distinct characters; fewer than this means a
// typed-in pattern (aaaa…, 1212…, 0000…).
const MIN_DISTINCT_CHARACTERS = 8;

/**
 * Whether a secret is one of the obvious placeholders operators copy from examples and forget
 * to replace. Random values (openssl rand -hex 32, base64) never match.
 */
export function isPlaceholderSecret(value: string): boolean {
  const compact = value.trim().replace(/[\s_.]+/g, '-');
  if (PLACEHOLDER_WORDS.test(compact) || TRIVIAL.test(compact)) return true;
  if (/^<.*>$/.test(compact)) return true;
  return (
    compact.length >= MIN_DISTINCT_CHARACTERS && new Set(compact).size < MIN_DISTINCT_CHARACTERS
  );
}

const PLACEHOLDER_MESSAGE = 'is a placeholder; set a random value (e.g. openssl rand -hex 32)';

/** A shared secret of at least `minLength` characters that is not a placeholder. */
export const secretString = (
  minLength: number,
  hint: string,
  requiredMessage = `is required: ${hint}`,
) =>
  z
    .string({ error: requiredMessage })
    .min(minLength, `must be ${hint}`)
    .refine((value) => !isPlaceholderSecret(value), PLACEHOLDER_MESSAGE);

/** The same rule for a secret read from a file or given without a length rule. */
export function placeholderProblem(value: string): string | undefined {
  if (value.trim() === '') return 'is empty';
  return isPlaceholderSecret(value) ? PLACEHOLDER_MESSAGE : undefined;
}

/** `on`/`off` (also `true`/`false`, `1`/`0`, `yes`/`no`), case-insensitive. */
export const onOff = (defaultValue: boolean) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = raw?.trim().toLowerCase();
      if (value === undefined || value === '') return defaultValue;
      if (['on', 'true', '1', 'yes'].includes(value)) return true;
      if (['off', 'false', '0', 'no'].includes(value)) return false;
      ctx.addIssue({ code: 'custom', message: 'must be on or off' });
      return z.NEVER;
    });

export interface ReadFile {
  readonly path: string;
  readonly contents: Buffer;
}

/**
 * A file the process must be able to read, read once at start-up: a missing certificate should
 * stop the process with the variable's name, not surface as a TLS error at the first connection.
 */
export const readableFile = () =>
  z
    .string()
    .trim()
    .min(1, 'must name a file')
    .transform((path, ctx): ReadFile => {
      const problem = unreadableReason(path);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return { path, contents: readFileSync(path) };
    });

function unreadableReason(path: string): string | undefined {
  try {
    if (!statSync(path).isFile())
      return 'must name a regular file (it names a directory or device)';
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'names a file that does not exist';
    if (code === 'EACCES' || code === 'EPERM') return 'names a file this process may not read';
    return `names a file that cannot be read (${code ?? 'unknown error'})`;
  }
}

/** NODE_ENV: only `production` changes what the configuration accepts. */
export const nodeEnv = z.string().optional();

export const isProduction = (env: { NODE_ENV?: string | undefined }): boolean =>
  env.NODE_ENV?.trim().toLowerCase() === 'production';
