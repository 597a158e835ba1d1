import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin, Message } from 'kafkajs';
import mongoose from 'mongoose';
import {
  CLOUDEVENTS_CONTENT_TYPE,
  createEvent,
  serializeEvent,
  type VerificationRequestedData,
} from '@app/contracts';
import { startWorkerProcess, type WorkerProcess } from '../../test/support/worker-process';
import { benchAppEnv, benchDatabaseName, benchTopicEnv } from './bench-world';
import type { ScenarioContext } from './scenario';
import { withDatabase } from './stack';
import { randomSuffix } from './topics';

const WORKER_START_TIMEOUT_MS = 240_000;
const PART_SIZE = 1_000;

/** What a run on a fresh verification worker gets. */
export interface FreshWorker {
  worker: WorkerProcess;
  /** The run's topics, keyed by the env the apps read. */
  topics: Record<string, string>;
  /** The run's id, in its topic, group and database names. */
  id: string;
}

/**
 * Runs `measure` against the built verification worker, started as a process on fresh topics,
 * groups and database (`env` added to the bench's). Afterwards the worker is stopped, its log
 * kept as `worker-<label>.log`, and its topics and database removed.
 */
export async function withFreshWorker<T>(
  world: { context: ScenarioContext; admin: Admin },
  label: string,
  env: Record<string, string>,
  measure: (run: FreshWorker) => Promise<T>,
): Promise<T> {
  const id = `${label.replace(/[^a-z0-9]/gi, '')}-${randomSuffix()}`;
  const topics = benchTopicEnv(id);
  const mongoUri = withDatabase(world.context.stack.mongoUri, benchDatabaseName(id));
  let worker: WorkerProcess | undefined;
  try {
    worker = await startWorkerProcess(
      'verification-worker',
      { ...benchAppEnv(id, world.context.stack), ...env },
      WORKER_START_TIMEOUT_MS,
      'built',
    );
    return await measure({ worker, topics, id });
  } finally {
    worker?.kill('SIGTERM');
    await worker?.exited;
    if (worker)
      writeFileSync(
        join(world.context.resultsDir, `worker-${label}.log`),
        worker.logs.map((line) => JSON.stringify(line)).join('\n'),
      );
    // Only what exists: the worker creates the topics it uses, not every one of the contract.
    const existing = new Set(await world.admin.listTopics());
    const ours = Object.values(topics).filter((t) => existing.has(t));
    if (ours.length > 0) await world.admin.deleteTopics({ topics: ours }).catch(() => undefined);
    const db = await mongoose.createConnection(mongoUri).asPromise();
    await db.dropDatabase();
    await db.close();
  }
}

/** One message of a VerificationRequested, keyed by its tenant as the contract says. */
export function requestMessage(event: ReturnType<typeof createEvent>, tenantId: string): Message {
  return {
    key: tenantId,
    value: serializeEvent(event),
    headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
  };
}

/** A bulk request of `users` new users (user n: `user(n)`) in parts of 1,000. */
export function bulkRequestParts(
  tenantId: string,
  users: number,
  user: (n: number) => VerificationRequestedData['users'][number],
): Message[] {
  const count = Math.ceil(users / PART_SIZE);
  const requestId = `bench-${randomSuffix()}`;
  return Array.from({ length: count }, (_, p) => {
    const size = Math.min(PART_SIZE, users - p * PART_SIZE);
    const event = createEvent(
      'VerificationRequested',
      {
        requestId,
        tenantId,
        requestedBy: { userId: 'bench' },
        users: Array.from({ length: size }, (_, i) => user(p * PART_SIZE + i)),
        part: { index: p + 1, count },
      },
      { source: '/bench' },
    );
    return requestMessage(event, tenantId);
  });
}
