/**
 * mail: render and send verification mails over a pool of SMTP connections to a null sink.
 *
 * Product: the mail step's per-mail work, with the delivery records that make it crash-safe
 * and without the batch's other database work. Each mail goes through RecordedMailSender as
 * the worker builds it: its claim and its SMTP answer written to MongoDB (mail_deliveries on the
 * bench stack, group-committed with the other mails in flight) and at most SMTP_MAX_CONNECTIONS
 * mails between claim and answer; TemplateVerificationMailer with MailRenderer (Handlebars,
 * dates, the link), the deterministic Message-ID, and the SmtpMailTransport that
 * createMailTransport(mailTransportConfigFrom(config)) gives, with the worker's own config: it
 * builds each MIME message in SMTP_COMPOSE_THREADS worker threads (default 1) and hands the pool
 * the finished message, where the baseline's nodemailer builds it on the event loop as it sends.
 * Baseline: a bare nodemailer pool with the same connection settings, sending the very same
 * mails already rendered. Both send in the mail step's rhythm: CONSUMER_CONCURRENCY partitions
 * at once, each a batch of MAIL_MAX_BATCH mails awaited together (SendVerificationMails).
 *
 * Each window ends when every send's promise resolved, i.e. the sink answered 250 to each DATA;
 * the sink's own count is then checked to have grown by exactly the window's mails.
 *
 * Both windows wait on the network more than they compute: nodemailer leaves Nagle's algorithm
 * on, and writes a message's final "\r\n.\r\n" apart from its body, so that last write waits for
 * the sink's delayed ACK (about 40 ms on Linux) once per mail, capping each connection at about
 * 20 mails/s on loopback. Both sides pay it alike; the `cpuUsPerMail` figure shows the work per
 * mail that the rates hide.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import {
  createMailTransport,
  MailRenderer,
  mailTransportConfigFrom,
  nodemailerMessage,
  type MailTransport,
  type OutgoingMail,
  type SendReceipt,
} from '@app/mail';
import mongoose from 'mongoose';
import { MailDeliveryRepository } from '@app/persistence';
import {
  type DeliveryKey,
  type DeliveryWrite,
  issueLink,
  type MailDelivery,
  type MailDeliveryStore,
  RecordedMailSender,
  sendIdFor,
  type VerificationMail,
} from '@app/verification';
import { loadWorkerConfig, type WorkerConfig } from '../../apps/verification-worker/src/config';
import { TemplateVerificationMailer } from '../../apps/verification-worker/src/verification-mailer';
import { EventCounter, round, timeUntilCounted } from '../support/measure';
import { NullSmtpSink, type SinkCount } from '../support/null-smtp-sink';
import { withDatabase } from '../support/stack';
import type { Sample, Scenario, ScenarioContext, ScenarioRunner } from '../support/scenario';

/** Mails per window at scale 1 (the issue's size). */
const MAILS = 20_000;
const MIN_MAILS = 100;
const WARM_UP_MAILS = 1_000;

/**
 * SMTP_RATE_PER_SECOND for the run. The product's default (50/s) is a deliberate throttle that
 * protects a relay; left on, the product's window would measure only the throttle (20,000 mails
 * take 400 s). Set far above any reachable rate, as bench/bulk-request.bench.ts does; the
 * baseline gets the same value, so the limiter's bookkeeping is on both sides.
 */
const UNTHROTTLED_RATE = 1_000_000;

type NodemailerMessage = ReturnType<typeof nodemailerMessage>;

/** How the mail step sends: `lanes` partitions at once, `batch` mails awaited together. */
interface SendRhythm {
  lanes: number;
  batch: number;
}

export const mailScenario: Scenario = {
  name: 'mail',
  product:
    'verification mails rendered by libs/mail and sent via its SMTP transport (pool of 5) to a null sink',
  baseline: 'nodemailer pool of 5 sending the same pre-rendered mails to the same sink',
  unit: 'mails',
  open: openMailScenario,
};

async function openMailScenario(context: ScenarioContext): Promise<ScenarioRunner> {
  const items = Math.max(MIN_MAILS, Math.round(MAILS * context.scale));
  const sink = await NullSmtpSink.start();
  const closers: (() => Promise<void>)[] = [() => sink.stop()];
  const close = async (): Promise<void> => {
    // In reverse, the senders before the sink; every closer runs even if an earlier one fails.
    const failures: unknown[] = [];
    for (const closeOne of closers.splice(0).reverse())
      await closeOne().catch((error: unknown) => failures.push(error));
    if (failures.length > 0)
      throw new AggregateError(failures, `mail: closing failed: ${String(failures[0])}`);
  };
  try {
    const config = mailStepConfig(context, sink.url);
    const rhythm: SendRhythm = { lanes: config.CONSUMER_CONCURRENCY, batch: config.MAIL_MAX_BATCH };
    const transport = createMailTransport(mailTransportConfigFrom(config));
    closers.push(() => transport.close());
    const baseline = baselineTransport(config, sink.port);
    closers.push(async () => baseline.close());

    const db = await mongoose
      .createConnection(withDatabase(context.stack.mongoUri, 'bench-mail-deliveries'))
      .asPromise();
    closers.push(async () => {
      await db.dropDatabase();
      await db.close();
    });
    const repository = new MailDeliveryRepository(db);
    await repository.init();
    const deliveries = new CountedWrites(repository);
    const mailer = new RecordedMailSender(deliveries, verificationMailer(config, transport), {
      maxInFlight: config.SMTP_MAX_CONNECTIONS,
      claimLeaseMs: config.SMTP_TIMEOUT_MS,
      sender: 'bench',
    });
    // Every window claims the same sends afresh: the records of the one before go (untimed).
    const freshRecords = () => db.collection('mail_deliveries').deleteMany({});
    const mails = verificationMails(items, config);
    // The baseline's input, rendered once by the product itself so both send identical mails;
    // held for the whole run so both windows run on the same heap.
    const rendered = (await renderAll(config, mails)).map(nodemailerMessage);
    context.log(
      `mail: ${items} mails per window, pool of ${config.SMTP_MAX_CONNECTIONS}, ` +
        `${rhythm.lanes} batches of ${rhythm.batch} in flight, null sink on ${sink.url} (own process)`,
    );

    const sendProduct = productSender(mailer, rhythm);
    const sendBaseline = baselineSender(baseline, rhythm);
    const window = (what: string, send: (onSent: () => void) => Promise<void>) =>
      timedWindow(sink, items, context.timeoutMs, what, send);
    const warm = Math.min(items, WARM_UP_MAILS);
    return {
      items,
      warmUp: async () => {
        await freshRecords();
        await sendProduct(mails.slice(0, warm), () => undefined);
        await sendBaseline(rendered.slice(0, warm), () => undefined);
      },
      product: async (run) => {
        await freshRecords();
        const writesBefore = deliveries.writes;
        const sample = await window(`mail product run ${run}`, (onSent) =>
          sendProduct(mails, onSent),
        );
        const writes = deliveries.writes - writesBefore;
        return {
          ...sample,
          figures: { ...sample.figures, writesPerMail: round(writes / items, 3) },
        };
      },
      baseline: (run) =>
        window(`mail baseline run ${run}`, (onSent) => sendBaseline(rendered, onSent)),
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/**
 * The worker's own config loader, so pool size, batch and concurrency are the product's
 * (and SMTP_MAX_CONNECTIONS, MAIL_MAX_BATCH, CONSUMER_CONCURRENCY from the environment apply to
 * both sides). Kafka and MongoDB are only validated: the mail path minus its database uses neither.
 */
function mailStepConfig(context: ScenarioContext, smtpUrl: string): WorkerConfig {
  return loadWorkerConfig({
    ...process.env,
    KAFKA_BROKERS: context.stack.brokers.join(','),
    MONGODB_URI: context.stack.mongoUri,
    SMTP_URL: smtpUrl,
    SMTP_RATE_PER_SECOND: String(UNTHROTTLED_RATE),
    PUBLIC_BASE_URL: 'https://provisioning.example.se',
    LOGIN_URL: 'https://flexhrm.example/login',
  });
}

/** As apps/verification-worker/src/bootstrap.ts builds it. */
function verificationMailer(
  config: WorkerConfig,
  transport: MailTransport,
): TemplateVerificationMailer {
  return new TemplateVerificationMailer(new MailRenderer(), transport, {
    from: config.MAIL_FROM,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    loginUrl: config.LOGIN_URL,
    messageIdDomain: config.MESSAGE_ID_DOMAIN,
  });
}

/**
 * The bare client: nodemailer's pool with the product's connection settings. host/port rather
 * than a URL: createTransport({ url, pool: true, ... }) drops the other options (see
 * SmtpMailTransport), which would leave the baseline unpooled.
 */
function baselineTransport(
  config: WorkerConfig,
  port: number,
): Transporter<SMTPPool.SentMessageInfo, SMTPPool.Options> {
  return nodemailer.createTransport({
    pool: true,
    host: '127.0.0.1',
    port,
    secure: false,
    maxConnections: config.SMTP_MAX_CONNECTIONS,
    rateDelta: 1000,
    rateLimit: config.SMTP_RATE_PER_SECOND,
    // No getSocket: nodemailer 10.1+ turns Nagle off itself, as the product relies on.
  });
}

type Sender<T> = (items: readonly T[], onSent: () => void) => Promise<void>;

/** The product: RecordedMailSender.send per mail, as SendVerificationMails calls it. */
function productSender(sender: RecordedMailSender, rhythm: SendRhythm): Sender<BenchMail> {
  const claimAll = async (batch: readonly BenchMail[]) => {
    const claimed = await sender.claim(
      batch.map((m) => ({ key: m, linkIssuedAt: m.linkIssuedAt })),
    );
    if (claimed.size !== batch.length) throw new Error('product: a claim was lost');
  };
  return (mails, onSent) =>
    sendInRhythm(mails, rhythm, claimAll, async (mail) => {
      const answer = await sender.send(mail);
      if (answer.kind !== 'sent')
        throw new Error(`product: the mail was not sent (${JSON.stringify(answer)})`);
      onSent();
    });
}

type BenchMail = VerificationMail & DeliveryKey & { linkIssuedAt: Date };

/** The delivery records, counting their round trips: how well the answers share them. */
class CountedWrites implements MailDeliveryStore {
  writes = 0;

  constructor(private readonly inner: MailDeliveryStore) {}

  findDeliveries(keys: readonly DeliveryKey[]): Promise<MailDelivery[]> {
    return this.inner.findDeliveries(keys);
  }

  write(writes: readonly DeliveryWrite[]): Promise<boolean[]> {
    this.writes += 1;
    return this.inner.write(writes);
  }
}

/** The baseline: sendMail of the pre-rendered message, nothing else. */
function baselineSender(
  transporter: Transporter<SMTPPool.SentMessageInfo, SMTPPool.Options>,
  rhythm: SendRhythm,
): Sender<NodemailerMessage> {
  return (messages, onSent) =>
    sendInRhythm(
      messages,
      rhythm,
      async () => undefined,
      async (message) => {
        const info = await transporter.sendMail(message);
        if (info.accepted.length !== 1 || info.rejected.length > 0)
          throw new Error(`baseline: the sink refused a mail (${info.response})`);
        onSent();
      },
    );
}

/** Keeps what the mailer hands over instead of sending it: the product's own rendering. */
class CapturingTransport implements MailTransport {
  readonly mails: OutgoingMail[] = [];

  async send(mail: OutgoingMail): Promise<SendReceipt> {
    this.mails.push(mail);
    return { messageId: mail.messageId, accepted: true };
  }

  async close(): Promise<void> {}
}

async function renderAll(
  config: WorkerConfig,
  mails: readonly VerificationMail[],
): Promise<OutgoingMail[]> {
  const capture = new CapturingTransport();
  const mailer = verificationMailer(config, capture);
  for (const mail of mails) await mailer.send(mail);
  return capture.mails;
}

/**
 * Sends every item as the mail step does: `lanes` loops (one per partition consumed at once),
 * each taking the next `batch` items, doing `beforeBatch` (the product claims them) and sending
 * them together, waiting for all of them before taking more. A failed send fails the whole pass.
 */
async function sendInRhythm<T>(
  items: readonly T[],
  rhythm: SendRhythm,
  beforeBatch: (batch: readonly T[]) => Promise<void>,
  send: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const batch = items.slice(next, next + rhythm.batch);
      next += batch.length;
      await beforeBatch(batch);
      const answers = await Promise.allSettled(batch.map(send));
      const failed = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected');
      if (failed) throw failed.reason;
    }
  };
  await Promise.all(Array.from({ length: rhythm.lanes }, lane));
}

/**
 * One timed window, then (untimed) the sink's word that it accepted exactly `items` mails.
 * Figures: the sender's CPU time per mail (user + system, this process only), which shows the
 * per-mail work even when the window waits on the network rather than the CPU, and the size of
 * a mail as the sink received it, which must be the same on both sides.
 */
async function timedWindow(
  sink: NullSmtpSink,
  items: number,
  timeoutMs: number,
  what: string,
  send: (onSent: () => void) => Promise<void>,
): Promise<Sample> {
  const before = await sink.count();
  const counter = new EventCounter(items);
  const cpuBefore = process.cpuUsage();
  const ms = await timeUntilCounted(counter, () => send(() => counter.add(1)), timeoutMs, what);
  const cpu = process.cpuUsage(cpuBefore);
  const after = await sink.count();
  return {
    items,
    ms: round(ms, 1),
    figures: {
      cpuUsPerMail: Math.round((cpu.user + cpu.system) / items),
      kbPerMail: checkedKbPerMail(before, after, items, what),
    },
  };
}

function checkedKbPerMail(before: SinkCount, after: SinkCount, items: number, what: string) {
  const accepted = after.accepted - before.accepted;
  if (accepted !== items)
    throw new Error(`${what}: the sink accepted ${accepted} mails, expected ${items}`);
  return round((after.bytes - before.bytes) / accepted / 1024, 2);
}

const FIRST_NAMES = (
  'Åsa Björn Märta Lars Karin Erik Sofia Johan Ingrid Per Elin Anders Maja Oskar Linnéa Göran ' +
  'Fatima Mohammed Anna-Lena Jörgen'
).split(' ');
const LAST_NAMES = (
  'Öberg Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson ' +
  'Gustafsson Pettersson Lindström Åkesson Björklund Hägglund Al-Sayed Nguyen Ström Wallén'
).split(' ');
const DOMAINS = ['example.se', 'foretaget.example', 'kommun.example.se', 'bolaget.example.com'];
const TENANTS = 20;

/**
 * N distinct users as the mail step sees them, built outside every window: Swedish names with
 * å/ä/ö, their ASCII addresses, one in ten English and one in twenty without a locale (Swedish
 * by default), one in eight without a display name, and a fresh link each (issueLink, as the
 * mail step issues them, with the worker's token lifetime).
 */
function verificationMails(count: number, config: WorkerConfig): BenchMail[] {
  const now = new Date();
  return Array.from({ length: count }, (_, i) => {
    const first = FIRST_NAMES[i % FIRST_NAMES.length] ?? 'Anna';
    const last = LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length] ?? 'Berg';
    const tenantId = `bench-tenant-${i % TENANTS}`;
    const requestId = `bench-mail-request-${i % TENANTS}`;
    const userId = `user-${i}`;
    const email = `${ascii(first)}.${ascii(last)}.${i}@${DOMAINS[i % DOMAINS.length] ?? 'example.se'}`;
    const sendId = sendIdFor(tenantId, requestId, userId);
    const { token, link } = issueLink(
      { tenantId, userId, email, requestId, sendId },
      now,
      config.VERIFICATION_TOKEN_TTL_MS,
    );
    return {
      tenantId,
      linkIssuedAt: link.issuedAt,
      to: email,
      sendId,
      token,
      expiresAt: link.expiresAt,
      ...(i % 8 === 0 ? {} : { displayName: `${first} ${last}` }),
      ...(i % 10 === 0 ? { locale: 'en' as const } : i % 20 === 5 ? {} : { locale: 'sv' as const }),
    };
  });
}

/** "Åsa Öberg" -> "asa.oberg": addresses are ASCII. */
function ascii(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z-]/g, '')
    .toLowerCase();
}
