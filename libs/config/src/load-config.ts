import type { z } from 'zod';
import { ConfigError } from './config-error';

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Validates the environment against a schema whose keys are variable names. Every problem is
 * reported at once, by variable name, so an operator fixes a deployment in one round.
 * Values are never echoed: they may be secrets.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Environment = process.env,
): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.map(String).join('.') || '(environment)';
    return `${name}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}
