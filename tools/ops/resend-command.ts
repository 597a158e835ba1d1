import { randomUUID } from 'node:crypto';
import { createEvent, parseEventOf, type VerificationBatchCompletedData } from '@app/contracts';
import { createProducer, EventPublisher } from '@app/messaging';
import { parseCommand, positiveOption, showHelp, type OpsCommand } from './ops-command';
import { opsKafka, opsTopics } from './ops-env';

export const EVENT_SOURCE = '/connect-provisioning/connect-ops';

export const resendCommand: OpsCommand = {
  name: 'resend',
  summary: 'send a user a new verification mail (a VerificationRequested of one user)',
  help: `usage: connect-ops resend <tenantId> <userId> [--force] [--by <operator id>] [--no-wait] [--timeout-ms 60000] [--json]

Publishes a VerificationRequested for one user, as the HRM's "Skicka verifieringsmejl" does,
recorded as requested by --by (default: ops:$USER). The pipeline's rules apply as to any
request: no mail to a user without a valid address, already verified or linked, or mailed
within the cool-down (VERIFICATION_COOLDOWN_MS) unless --force (the event's resend flag).
Then waits for the request's VerificationBatchCompleted and prints what became of the user
(--no-wait: print the request id and return). Exit code 1 when no mail was sent, or when the
wait timed out.`,
  async run(args, context) {
    const parsed = parseCommand(
      args,
      {
        by: { type: 'string' },
        force: { type: 'boolean', default: false },
        wait: { type: 'boolean', default: true },
        'timeout-ms': { type: 'string' },
      },
      ['tenantId', 'userId'],
    );
    if (parsed.help) return showHelp(resendCommand, context.output);
    const [tenantId = '', userId = ''] = parsed.positionals;
    const by = parsed.text('by') ?? `ops:${context.env.USER ?? 'operator'}`;
    const timeoutMs = positiveOption('timeout-ms', parsed.text('timeout-ms'), 60_000);
    const requestId = randomUUID();
    const event = createEvent(
      'VerificationRequested',
      {
        requestId,
        tenantId,
        requestedBy: { userId: by },
        users: [{ userId }],
        resend: parsed.flag('force') === true,
      },
      { source: EVENT_SOURCE },
    );
    const kafka = opsKafka(context.env);
    const topics = opsTopics(context.env);
    // Listening before sending: the completion cannot arrive unseen.
    const listening = parsed.flag('wait')
      ? await listenForCompletion(
          kafka,
          topics.VerificationBatchCompleted,
          requestId,
          timeoutMs,
          context.signal,
        )
      : undefined;
    const producer = createProducer(kafka);
    await producer.connect();
    try {
      await new EventPublisher(producer, topics).publish([event]);
    } finally {
      await producer.disconnect();
    }
    if (!listening) {
      context.output.out(
        parsed.json
          ? `${JSON.stringify({ requestId, eventId: event.id })}\n`
          : `requested: request ${requestId} (event ${event.id})\n`,
      );
      return 0;
    }
    const data = await listening.completion;
    const outcome = data ? outcomeOf(data) : 'timeout';
    if (parsed.json)
      context.output.out(
        `${JSON.stringify({ requestId, eventId: event.id, outcome, completion: data ?? null })}\n`,
      );
    else context.output.out(`request ${requestId}: ${describe(outcome)}\n`);
    return outcome === 'sent' ? 0 : 1;
  },
};

function outcomeOf(data: VerificationBatchCompletedData): string {
  if (data.sent > 0) return 'sent';
  if (data.failed > 0) return 'failed';
  const skipped = Object.entries(data.skipped).find(([, n]) => n > 0);
  return skipped ? `skipped:${skipped[0]}` : 'unknown';
}

function describe(outcome: string): string {
  if (outcome === 'sent') return 'mail sent';
  if (outcome === 'failed') return 'the mail could not be sent (see connect-ops status)';
  if (outcome === 'timeout')
    return `no completion yet (is the worker running? connect-ops request <tenantId> <requestId>)`;
  if (outcome.startsWith('skipped:')) return `no mail: ${outcome.slice('skipped:'.length)}`;
  return outcome;
}

/**
 * Joins a throwaway group on the completions topic and returns once it has joined; `completion`
 * then resolves with the completion of `requestId` (undefined on timeout or Ctrl-C).
 */
async function listenForCompletion(
  kafka: ReturnType<typeof opsKafka>,
  topic: string,
  requestId: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ completion: Promise<VerificationBatchCompletedData | undefined> }> {
  const groupId = `connect-ops.resend-${requestId}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  let settle: (data: VerificationBatchCompletedData | undefined) => void = () => undefined;
  const result = new Promise<VerificationBatchCompletedData | undefined>(
    (resolve) => (settle = resolve),
  );
  const joined = new Promise<void>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
  );
  await consumer.run({
    eachMessage: async ({ message }) => {
      const parsed = parseEventOf(message.value, 'VerificationBatchCompleted');
      if (parsed.ok && parsed.event.data.requestId === requestId) settle(parsed.event.data);
    },
  });
  await joined;
  const timer = setTimeout(() => settle(undefined), timeoutMs);
  const abort = () => settle(undefined);
  signal.addEventListener('abort', abort, { once: true });
  const completion = result.finally(async () => {
    clearTimeout(timer);
    signal.removeEventListener('abort', abort);
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  });
  return { completion };
}
