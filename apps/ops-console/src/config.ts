import { z } from 'zod';
import { loadConfig, positiveInt, secretString, type Environment, portNumber } from '@app/config';
import { serviceEnvSchema } from '@app/service-runtime';

const TOKEN_HINT = 'at least 32 characters (e.g. openssl rand -hex 32)';

const consoleEnvSchema = serviceEnvSchema(8085).extend({
  // The one secret operators share; every page needs it (bearer or the sign-in form).
  // Placeholders (change-me-…) are refused: a copied example token is a public one.
  OPS_CONSOLE_TOKEN: secretString(
    32,
    TOKEN_HINT,
    `is required: the operators' token, ${TOKEN_HINT}`,
  ),
  OPS_CONSOLE_HOST: z.string().min(1).default('127.0.0.1'),
  OPS_CONSOLE_PORT: portNumber(8084),
  // Sign-in attempts (and requests without a valid token) per minute from one address.
  OPS_CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE: positiveInt(10),
  // How long a sign-in lasts; rotating the token ends every session at once.
  OPS_CONSOLE_SESSION_HOURS: positiveInt(12),
  // Behind a reverse proxy: hops of X-Forwarded-For/-Proto to trust (client address, https).
  OPS_CONSOLE_TRUSTED_PROXIES: z.coerce
    .number({ error: 'must be a whole number of proxies (0: none)' })
    .int()
    .min(0)
    .default(0),
});

export type ConsoleConfig = z.output<typeof consoleEnvSchema>;

export function loadConsoleConfig(env: Environment = process.env): ConsoleConfig {
  return loadConfig(consoleEnvSchema, env);
}
