import { z } from 'zod';
import { countUpTo, loadConfig, positiveInt, type Environment } from '@app/config';
import { MAX_USERS_PER_PART } from '@app/contracts';
import { mailEnvSchema } from '@app/mail';
import { consumerEnvSchema } from '@app/messaging';
import { linkRetentionEnvSchema } from '@app/persistence';
import { serviceEnvSchema } from '@app/service-runtime';

const workerEnvSchema = serviceEnvSchema(8081)
  .extend(consumerEnvSchema.shape)
  .extend(linkRetentionEnvSchema.shape)
  .extend(mailEnvSchema.shape)
  .extend({
    // A user mailed less than this long ago is skipped as recently_sent unless resend is set.
    VERIFICATION_COOLDOWN_MS: positiveInt(10 * 60_000),
    // How long a verification link works (7 days).
    VERIFICATION_TOKEN_TTL_MS: positiveInt(7 * 24 * 60 * 60_000),
    // The mail step's own consumer group: a slow SMTP server never stalls the decisions.
    MAIL_CONSUMER_GROUP: z.string().min(1).default('connect-provisioning.mail-step'),
    // 'off' starts no mail step: nothing consumes VerificationMailRequested and no mail leaves.
    // Only for measuring the decision step alone (npm run bench, fan-out scenario).
    MAIL_STEP: z.enum(['on', 'off']).default('on'),
    // Mails handled together: one read and one claim write per batch (a crash repeats at most
    // SMTP_MAX_CONNECTIONS mails, whatever the batch: docs/guarantees.md).
    MAIL_MAX_BATCH: positiveInt(100),
    // Each mail batch pays a few database round trips, so the mail step waits up to a second
    // for this much to queue up rather than taking mails ten at a time.
    MAIL_FETCH_MIN_BYTES: positiveInt(64 * 1024),
    // A request of one part and at most this many users is interactive: its mails take a topic
    // and consumer group of their own and the first turn at the SMTP connections, so a single
    // send never waits behind another customer's bulk request (0: every request is bulk).
    MAIL_INTERACTIVE_MAX_USERS: countUpTo(100, MAX_USERS_PER_PART),
    MAIL_INTERACTIVE_CONSUMER_GROUP: z
      .string()
      .min(1)
      .default('connect-provisioning.mail-step.interactive'),
    // Bulk requests are decided by a consumer group of their own, on the topic the decision step
    // sets them aside to (BULK_LANE): a small request is never decided after another tenant's
    // 100 parts that happened to share its partition.
    BULK_DECISIONS_CONSUMER_GROUP: z
      .string()
      .min(1)
      .default('connect-provisioning.verification-worker.bulk'),
    // The linker's own consumer group: a long bulk request never delays a user's link.
    LINKER_CONSUMER_GROUP: z.string().min(1).default('connect-provisioning.linker'),
  });

export type WorkerConfig = z.output<typeof workerEnvSchema>;

export const DEFAULT_CONSUMER_GROUP = 'connect-provisioning.verification-worker';

export function loadWorkerConfig(env: Environment = process.env): WorkerConfig {
  return loadConfig(workerEnvSchema, env);
}
