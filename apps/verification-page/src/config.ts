import { z } from 'zod';
import {
  isProduction,
  loadConfig,
  positiveInt,
  secretString,
  type Environment,
  portNumber,
} from '@app/config';
import { linkTargetsEnvSchema } from '@app/mail';
import { linkRetentionEnvSchema } from '@app/persistence';
import { serviceEnvSchema } from '@app/service-runtime';

const CSRF_HINT = 'at least 32 characters (e.g. openssl rand -hex 32)';

const pageEnvSchema = serviceEnvSchema(8082)
  .extend(linkRetentionEnvSchema.shape)
  // Where the mails point: https makes the CSRF cookie Secure and __Host- prefixed.
  .extend(linkTargetsEnvSchema.shape)
  .extend({
    PAGE_HOST: z.string().min(1).default('127.0.0.1'),
    PAGE_PORT: portNumber(8080),
    // Signs the form's CSRF token. Several instances behind one address must share it, so
    // production requires it (below); a placeholder is refused everywhere.
    PAGE_CSRF_SECRET: secretString(32, CSRF_HINT).optional(),
    // Requests per minute from one IP address to /verify; mail scanners and people stay far below.
    PAGE_RATE_LIMIT_PER_MINUTE: positiveInt(30),
    // Every /verify answer takes at least this long, so timing tells nothing about a token.
    PAGE_MIN_RESPONSE_MS: positiveInt(300),
    // Behind a reverse proxy: how many hops of X-Forwarded-For to trust for the client's IP.
    PAGE_TRUSTED_PROXIES: z.coerce
      .number({ error: 'must be a whole number of proxies (0: none)' })
      .int()
      .min(0)
      .default(0),
    OUTBOX_SWEEP_INTERVAL_MS: positiveInt(5_000),
    OUTBOX_GRACE_MS: positiveInt(10_000),
  })
  .superRefine((env, ctx) => {
    // Without it each process signs with a random secret of its own: behind a load balancer
    // a form posted to another instance fails, and a restart voids every open form.
    if (isProduction(env) && env.PAGE_CSRF_SECRET === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['PAGE_CSRF_SECRET'],
        message: `is required when NODE_ENV=production: ${CSRF_HINT}`,
      });
  });

export type PageConfig = z.output<typeof pageEnvSchema>;

export function loadPageConfig(env: Environment = process.env): PageConfig {
  return loadConfig(pageEnvSchema, env);
}
