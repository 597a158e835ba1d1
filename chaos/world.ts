import mongoose from 'mongoose';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, serializeEvent } from '@app/contracts';
import { resolveStackEnv } from '../bench/support/stack';
import { KafkaTestClient } from '../test/support/kafka-test-client';
import { SmtpSink } from '../test/support/smtp-sink';
import { isolatedEnv } from '../test/support/test-env';
import { startWorkerProcess, type WorkerProcess } from '../test/support/worker-process';

export type AppName = 'verification-worker' | 'verification-page' | 'import-worker';

/**
 * One scenario's world on the real local stack: its own topics, consumer groups and database,
 * a loopback SMTP server that records every mail, and the apps as separate processes.
 */
export class World {
  readonly sink = new SmtpSink();
  readonly processes: { app: AppName; process: WorkerProcess }[] = [];
  /** Every log line any process of this world wrote, for the privacy scenario. */
  readonly logLines: Record<string, unknown>[] = [];
  kafka!: KafkaTestClient;
  env!: Record<string, string>;
  private readonly closers: (() => void)[] = [];

  static async create(label: string, extra: Record<string, string> = {}): Promise<World> {
    const stack = resolveStackEnv();
    process.env.KAFKA_BROKERS = stack.brokers.join(',');
    process.env.MONGODB_URI = stack.mongoUri;
    const world = new World();
    await world.sink.start();
    world.env = {
      ...isolatedEnv(`chaos-${label}`),
      SMTP_URL: world.sink.url,
      LOG_LEVEL: 'info',
      CONSUMER_SESSION_TIMEOUT_MS: '10000',
      ...extra,
    };
    world.kafka = new KafkaTestClient(world.env.KAFKA_BROKERS!);
    return world;
  }

  async start(app: AppName, extra: Record<string, string> = {}): Promise<WorkerProcess> {
    const process = await startWorkerProcess(app, { ...this.env, ...extra }, 240_000);
    this.processes.push({ app, process });
    return process;
  }

  /** Collects a stopped process's log lines; call before dropping the process. */
  retire(process: WorkerProcess): void {
    this.logLines.push(...process.logs);
    const i = this.processes.findIndex((p) => p.process === process);
    if (i >= 0) this.processes.splice(i, 1);
  }

  async watch(...types: (keyof typeof TOPIC_ENV)[]): Promise<void> {
    await this.kafka.watch(types.map((t) => this.topic(t)));
  }

  topic(type: keyof typeof TOPIC_ENV): string {
    return this.env[TOPIC_ENV[type]] ?? '';
  }

  /** One bulk request of `users` users in parts of 1000; returns the request id. */
  async request(requestId: string, users: number, tenantId = 'chaos', times = 1): Promise<void> {
    const parts = Math.ceil(users / 1000);
    const events = Array.from({ length: parts }, (_, p) =>
      createEvent(
        'VerificationRequested',
        {
          requestId,
          tenantId,
          requestedBy: { userId: 'chaos' },
          users: Array.from({ length: Math.min(1000, users - p * 1000) }, (_, i) => {
            const n = p * 1000 + i;
            return { userId: `u${n}`, email: `u${n}@example.se` };
          }),
          part: { index: p + 1, count: parts },
        },
        { source: '/chaos', id: `${requestId}-part-${p + 1}` },
      ),
    );
    await this.kafka.produce(
      this.topic('VerificationRequested'),
      events
        .flatMap((event) => Array.from({ length: times }, () => event))
        .map((event) => ({
          key: tenantId,
          value: serializeEvent(event),
          headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
        })),
    );
  }

  completionsOf(requestId: string): Record<string, unknown>[] {
    return this.kafka
      .json<{ data: Record<string, unknown> }>(this.topic('VerificationBatchCompleted'))
      .map((e) => e.data)
      .filter((d) => d.requestId === requestId);
  }

  /** Mails per recipient and per Message-ID. */
  mailCounts(): {
    total: number;
    recipients: Map<string, number>;
    messageIds: Map<string, number>;
  } {
    const recipients = new Map<string, number>();
    const messageIds = new Map<string, number>();
    for (const mail of this.sink.mails) {
      for (const to of mail.envelopeTo) recipients.set(to, (recipients.get(to) ?? 0) + 1);
      const id = mail.parsed.messageId ?? '';
      messageIds.set(id, (messageIds.get(id) ?? 0) + 1);
    }
    return { total: this.sink.mails.length, recipients, messageIds };
  }

  async close(): Promise<void> {
    for (const { process } of [...this.processes]) {
      process.kill('SIGTERM');
      await process.exited;
      this.retire(process);
    }
    await this.kafka.close();
    await this.sink.stop();
    const db = await mongoose.createConnection(this.env.MONGODB_URI!).asPromise();
    await db.dropDatabase();
    await db.close();
    for (const closer of this.closers) closer();
  }

  /** Runs once the world is closed: for servers a scenario started for its world alone. */
  onClosed(closer: () => void): void {
    this.closers.push(closer);
  }
}

const TOPIC_ENV = {
  VerificationRequested: 'TOPIC_VERIFICATION_REQUESTED',
  VerificationBatchCompleted: 'TOPIC_VERIFICATION_BATCH_COMPLETED',
  VerificationStatusChanged: 'TOPIC_VERIFICATION_STATUS_CHANGED',
  VerificationMailRequested: 'TOPIC_VERIFICATION_MAIL_REQUESTED',
  EmailVerified: 'TOPIC_EMAIL_VERIFIED',
  VismaConnectLinked: 'TOPIC_VISMA_CONNECT_LINKED',
  UserImportUploaded: 'TOPIC_USER_IMPORT_UPLOADED',
  UserImportCompleted: 'TOPIC_USER_IMPORT_COMPLETED',
} as const;
