import { z } from 'zod';

// Reusable readers of environment strings, each with a message that says what is expected.

export const positiveInt = (defaultValue: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return defaultValue;
      const n = Number(raw);
      if (!Number.isInteger(n) || n <= 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a positive integer' });
        return z.NEVER;
      }
      return n;
    });

/** A count that may be 0 (off), up to `max`: an empty value means the default. */
export const countUpTo = (defaultValue: number, max: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return defaultValue;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0 || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from 0 to ${max}` });
        return z.NEVER;
      }
      return n;
    });

/** A TCP port to listen on; 0 lets the system pick a free one (tests). */
export const portNumber = (defaultValue: number) =>
  z.coerce
    .number({ error: 'must be a port number (0 picks a free one)' })
    .int()
    .min(0)
    .max(65535)
    .default(defaultValue);

export const commaList = (message: string) =>
  z
    .string({ error: message })
    .transform((raw) =>
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((list) => list.length > 0, { message });

export const urlString = (protocols: readonly string[], message: string) =>
  z.string({ error: message }).refine(
    (raw) => {
      try {
        return protocols.includes(new URL(raw).protocol);
      } catch {
        return false;
      }
    },
    { message },
  );

export const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    error: 'must be one of fatal, error, warn, info, debug, trace, silent',
  })
  .default('info');
