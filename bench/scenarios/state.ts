import { randomBytes, randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import type {
  AnyBulkWriteOperation,
  Collection,
  CommandStartedEvent,
  Db,
  MongoClient,
} from 'mongodb';
import { type CloudEvent, createEvent, MAX_USERS_PER_PART } from '@app/contracts';
import type { OutboxBatch } from '@app/messaging';
import {
  connectMongo,
  idLookupOf,
  type IdLookup,
  mongoEnvSchema,
  RequestProgressRepository,
  USER_STATE_COLLECTION,
  type UserStateDocument,
  userStateId,
  UserStateRepository,
} from '@app/persistence';
import {
  VERIFICATION_OUTCOME_COLLECTION,
  type VerificationOutcomeDocument,
} from '@app/persistence/verification-request/verification-outcome.schema';
import {
  REQUEST_COMPLETION_COLLECTION,
  REQUEST_PART_COLLECTION,
  type RequestPartDocument,
} from '@app/persistence/verification-request/verification-request.schema';
import { MAX_UPDATES_PER_COMMAND } from '@app/persistence/write-in-chunks';
import {
  decideVerification,
  type DecisionPolicy,
  RecordVerificationRequest,
  sendIdFor,
  type UserState,
} from '@app/verification';
import { EVENT_SOURCE } from '../../apps/verification-worker/src/verification-requested.handler';
import { EventCounter, timeUntilCounted } from '../support/measure';
import type { Sample, Scenario, ScenarioContext, ScenarioRunner } from '../support/scenario';
import {
  population,
  type PopulationUser,
  type RequestedUser,
  SEED_COOL_DOWN_MS,
  seedUserStates,
  storedState,
} from '../support/seed-users';
import { withDatabase } from '../support/stack';

const USERS = 100_000;
const PART_SIZE = MAX_USERS_PER_PART;
const WARMUP_USERS = 2 * PART_SIZE;
const TENANT = 'bench-state';
/** The cool-down is configuration (VERIFICATION_COOLDOWN_MS); a day keeps the mix stable. */
const POLICY: DecisionPolicy = { coolDownMs: SEED_COOL_DOWN_MS };
/** Single-_id reads in flight at once: the product's figure on the stand-in (id-lookup.ts). */
const PARALLEL_READS = 20;
/** How long close() waits for a window that timed out before it leaves the database behind. */
const CLOSE_WAIT_MS = 60_000;

/**
 * The decision step's database work for one bulk request: RecordVerificationRequest with the
 * worker's repositories, part after part, against the raw driver doing the same reads and
 * writing the same documents with unordered bulk writes. No Kafka on either side.
 */
export const stateScenario: Scenario = {
  name: 'state',
  product: 'RecordVerificationRequest per part, worker repositories, outbox acknowledged',
  baseline: 'mongodb driver: same reads, insertMany + unordered bulk upserts',
  unit: 'users',
  open: openState,
};

/** The product as apps/verification-worker wires its decision step, minus Kafka. */
interface Product {
  connection: Connection;
  userStates: UserStateRepository;
  progress: RequestProgressRepository;
  record: RecordVerificationRequest;
}

/** The bare driver on the same database, with the server's limits it must respect. */
interface Raw {
  client: MongoClient;
  db: Db;
  /** How the product reads many _ids on this server; the baseline issues the same reads. */
  lookup: IdLookup;
  /** Statements per update command: the stand-in hangs on 100 (docs/local-stack.md). */
  updatesPerCommand: number;
  states: Collection<UserStateDocument>;
  outcomes: Collection<OutcomeRecord>;
  parts: Collection<PartRecord>;
  completions: Collection<{ _id: string }>;
}

interface Timestamps {
  createdAt: Date;
  updatedAt: Date;
}
type OutcomeRecord = Omit<VerificationOutcomeDocument, 'outbox' | 'outboxAt'>;
type PartRecord = RequestPartDocument & Timestamps;

/** One window's input: the request's parts and what the seed left in the database. */
interface Prepared {
  parts: CloudEvent<'VerificationRequested'>[];
  priors: Map<string, UserState>;
}

async function openState(context: ScenarioContext): Promise<ScenarioRunner> {
  const users = Math.max(PART_SIZE, Math.round(USERS * context.scale));
  const database = `bench_state_${randomBytes(4).toString('hex')}`;
  // Command monitoring is a client option the URI carries, so connectMongo stays as it is.
  const uri = withMonitoring(withDatabase(context.stack.mongoUri, database));
  const product = await openProduct(uri);
  const raw = await openRaw(uri, product.connection).catch(async (error: unknown) => {
    await product.connection.close();
    throw error;
  });
  // One request id per run: product and baseline of a run write the same documents.
  const requestIds = new Map<number, string>();
  const prepare = (run: number, size: number) => {
    const requestId = requestIds.get(run) ?? randomUUID();
    requestIds.set(run, requestId);
    return prepareWindow(product, raw, requestId, size);
  };
  context.log(
    `state: ${users} users in parts of ${PART_SIZE} on ${database} (reads: ${raw.lookup}, ` +
      `updates per command: ${raw.updatesPerCommand})`,
  );

  const inFlight = new InFlight();
  const productCommands = new CommandTally(product.connection.getClient());
  const rawCommands = new CommandTally(raw.client);
  const window = { context, inFlight };
  const measureProduct = async (run: number, size: number): Promise<Sample> => {
    const { parts } = await prepare(run, size);
    const steps = parts.map((event) => async () => {
      await productPart(product, event);
      return event.data.users.length;
    });
    return timed('state product', size, steps, { ...window, commands: productCommands });
  };
  const measureBaseline = async (run: number, size: number): Promise<Sample> => {
    const { parts, priors } = await prepare(run, size);
    // Decided and built before the window: the baseline's window is the database work alone.
    const steps = parts
      .map((event) => planPart(event, priors, new Date()))
      .map((plan) => async () => {
        await baselinePart(raw, plan);
        return plan.record.users;
      });
    return timed('state baseline', size, steps, { ...window, commands: rawCommands });
  };

  return {
    items: users,
    async warmUp() {
      await measureProduct(0, WARMUP_USERS);
      await measureBaseline(0, WARMUP_USERS);
    },
    product: (run) => measureProduct(run, users),
    baseline: (run) => measureBaseline(run, users),
    close: () => closeState(product, raw, inFlight, (line) => context.log(`${database}: ${line}`)),
  };
}

async function openProduct(uri: string): Promise<Product> {
  const idLookup = mongoEnvSchema.shape.MONGODB_ID_LOOKUP.parse(process.env.MONGODB_ID_LOOKUP);
  const connection = await connectMongo(uri, idLookup);
  const userStates = new UserStateRepository(connection);
  const progress = new RequestProgressRepository(connection);
  // As VerificationWorkerModule wires it, with the relay's flush minus the Kafka send.
  const record = new RecordVerificationRequest(userStates, progress, POLICY, acknowledgeOnly);
  return { connection, userStates, progress, record };
}

/**
 * OutboxRelay.flush without publishing: what the product does to the database once its events
 * are on Kafka ($pullAll of the entries, then clearing the owners' outboxAt marker).
 */
async function acknowledgeOnly(batch: OutboxBatch): Promise<void> {
  if (batch.pending.length > 0) await batch.store.acknowledge(batch.pending);
}

async function openRaw(uri: string, productConnection: Connection): Promise<Raw> {
  const client = new mongoose.mongo.MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  const db = client.db();
  try {
    const info = await db.admin().command({ buildInfo: 1 });
    return {
      client,
      db,
      lookup: await idLookupOf(productConnection),
      // MongoDB takes one unordered bulkWrite of any size (the driver splits at 100,000).
      updatesPerCommand: 'ferretdbVersion' in info ? MAX_UPDATES_PER_COMMAND : Infinity,
      states: db.collection<UserStateDocument>(USER_STATE_COLLECTION),
      outcomes: db.collection<OutcomeRecord>(VERIFICATION_OUTCOME_COLLECTION),
      parts: db.collection<PartRecord>(REQUEST_PART_COLLECTION),
      completions: db.collection<{ _id: string }>(REQUEST_COMPLETION_COLLECTION),
    };
  } catch (error) {
    await client.close();
    throw error;
  }
}

/**
 * Untimed: empty collections with the product's indexes (the repositories' init(), as the
 * worker starts), the seeded prior states, and the request's parts. Both sides start equal.
 */
async function prepareWindow(
  product: Product,
  raw: Raw,
  requestId: string,
  users: number,
): Promise<Prepared> {
  // Dropping collections, not the database: the stand-in dies dropping a database in use.
  for (const { name } of await raw.db.listCollections({}, { nameOnly: true }).toArray())
    await raw.db.dropCollection(name);
  await Promise.all([product.userStates.init(), product.progress.init()]);
  const people = population(TENANT, users, new Date());
  await seedUserStates(product.connection, people);
  return {
    parts: partsOf(requestId, people),
    priors: new Map(people.flatMap((p) => (p.prior ? [[p.entry.userId, p.prior] as const] : []))),
  };
}

/** The VerificationRequested parts the HRM would send, validated by the contract. */
function partsOf(
  requestId: string,
  people: readonly PopulationUser[],
): CloudEvent<'VerificationRequested'>[] {
  const count = Math.ceil(people.length / PART_SIZE);
  return Array.from({ length: count }, (_, i) =>
    createEvent(
      'VerificationRequested',
      {
        requestId,
        tenantId: TENANT,
        requestedBy: { userId: 'bench-admin' },
        users: people.slice(i * PART_SIZE, (i + 1) * PART_SIZE).map((p) => p.entry),
        part: { index: i + 1, count },
      },
      { source: '/bench' },
    ),
  );
}

/**
 * Times the parts handled one after another: a request's parts share the tenant's key, so the
 * worker gets them on one partition, in order, and never handles two of them at once.
 */
async function timed(
  what: string,
  users: number,
  parts: readonly (() => Promise<number>)[],
  window: { context: ScenarioContext; inFlight: InFlight; commands: CommandTally },
): Promise<Sample> {
  const counter = new EventCounter(users);
  const work = async () => {
    for (const part of parts) counter.add(await part());
  };
  window.commands.reset();
  const ms = await timeUntilCounted(
    counter,
    () => window.inFlight.track(work()),
    window.context.timeoutMs,
    what,
  );
  return { items: counter.seen, ms, figures: window.commands.figures() };
}

/** The window's work, which a timeout abandons but does not stop. */
class InFlight {
  private running: Promise<unknown> = Promise.resolve();

  track<T>(work: Promise<T>): Promise<T> {
    this.running = work.catch(() => undefined);
    return work;
  }

  /** True once the last window's work has ended, false if it still runs after `ms`. */
  async settled(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false)));
    try {
      return await Promise.race([this.running.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function withMonitoring(uri: string): string {
  return `${uri}${uri.includes('?') ? '&' : '?'}monitorCommands=true`;
}

/**
 * Commands one client sent in a window, by kind: where the time goes on a server that charges
 * milliseconds per update statement (the stand-in). Counting costs both sides the same: an
 * event per command and a second decoding of each reply.
 */
class CommandTally {
  private counts = emptyCounts();

  constructor(client: MongoClient) {
    client.on('commandStarted', (event) => this.count(event));
  }

  reset(): void {
    this.counts = emptyCounts();
  }

  figures(): Record<string, number> {
    return { ...this.counts };
  }

  private count(event: CommandStartedEvent): void {
    const c = this.counts;
    c.commands++;
    if (event.commandName === 'find') c.finds++;
    else if (event.commandName === 'insert') c.inserts++;
    else if (event.commandName === 'update') {
      c.updateCommands++;
      c.updateStatements += Array.isArray(event.command.updates) ? event.command.updates.length : 0;
    }
  }
}

function emptyCounts() {
  return { commands: 0, finds: 0, inserts: 0, updateCommands: 0, updateStatements: 0 };
}

/** What VerificationRequestedHandler.handle does with a part, its log line aside. */
async function productPart(
  product: Product,
  event: CloudEvent<'VerificationRequested'>,
): Promise<void> {
  const { completion } = await product.record.execute(event.data, {
    eventId: event.id,
    source: EVENT_SOURCE,
    at: new Date(),
  });
  if (completion) await acknowledgeOnly(completion);
}

/** One part's database work for the baseline, decided and built before the window. */
interface PartPlan {
  stateIds: string[];
  /** How many of those states the seed left: the reads must find exactly these. */
  known: number;
  outcomes: OutcomeRecord[];
  upserts: AnyBulkWriteOperation<UserStateDocument>[];
  record: PartRecord;
}

/**
 * The documents the product writes for a part, from the seeded states and the domain's own
 * decideVerification (RecordVerificationRequest's rules: outcomes for all, a state write for
 * a changed status or address or a due mail). Dates are the plan's, not the write's.
 */
function planPart(
  event: CloudEvent<'VerificationRequested'>,
  priors: ReadonlyMap<string, UserState>,
  at: Date,
): PartPlan {
  const { tenantId, requestId, users, part } = event.data;
  const decided = users.map((entry) => decideRaw(tenantId, entry, priors.get(entry.userId), at));
  return {
    stateIds: users.map((u) => userStateId(tenantId, u.userId)),
    known: decided.filter((d) => d.before).length,
    outcomes: decided.map((d) => outcomeRecord(requestId, d)),
    upserts: decided.flatMap((d) => (d.write ? [stateUpsert(d, at)] : [])),
    record: {
      _id: `${requestId}:${part.index}`,
      requestId,
      tenantId,
      partCount: part.count,
      users: users.length,
      createdAt: at,
      updatedAt: at,
    },
  };
}

/**
 * The part's database work with the bare driver: the product's reads of the states, one
 * insertMany of the outcomes, the states as unordered bulk upserts, the part's record and the
 * completion check's reads.
 */
async function baselinePart(raw: Raw, plan: PartPlan): Promise<void> {
  const found = await readStates(raw, plan.stateIds);
  if (found !== plan.known)
    throw new Error(`baseline read ${found} states, expected ${plan.known}`);
  await raw.outcomes.insertMany(plan.outcomes, { ordered: false });
  await bulkUpsert(raw, plan.upserts);
  await raw.parts.insertOne(plan.record);
  await completionCheck(raw, plan.record.requestId);
}

/** Reads states by _id as the product does on this server; returns how many exist. */
async function readStates(raw: Raw, ids: readonly string[]): Promise<number> {
  const projection = { outbox: 0 };
  if (raw.lookup === 'in')
    return (await raw.states.find({ _id: { $in: [...ids] } }, { projection }).toArray()).length;
  // A window of PARALLEL_READS single-_id reads in flight, refilled as each one returns.
  let next = 0;
  let found = 0;
  const reader = async () => {
    for (let id = ids[next++]; id !== undefined; id = ids[next++])
      if (await raw.states.findOne({ _id: id }, { projection })) found++;
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, ids.length) }, reader));
  return found;
}

interface RawDecision {
  tenantId: string;
  userId: string;
  before: UserState | undefined;
  after: UserState;
  outcome: VerificationOutcomeDocument['outcome'];
  /** The product rewrites a state when its status or address changed, or a mail is due. */
  write: boolean;
}

function decideRaw(
  tenantId: string,
  entry: RequestedUser,
  before: UserState | undefined,
  at: Date,
): RawDecision {
  const { decision, state } = decideVerification(
    { tenantId, userId: entry.userId, ...(entry.email ? { email: entry.email } : {}) },
    before,
    { resend: false, now: at, policy: POLICY },
  );
  const after: UserState = { ...state, ...profileOf(entry) };
  const changed = !before || before.status !== after.status || before.email !== after.email;
  const due = decision.kind === 'send';
  return {
    tenantId,
    userId: entry.userId,
    before,
    after,
    outcome: due ? 'due' : decision.reason,
    write: changed || due,
  };
}

function profileOf(entry: RequestedUser): Partial<UserState> {
  const { displayName, companyId, locale } = entry;
  return {
    ...(displayName ? { displayName } : {}),
    ...(companyId ? { companyId } : {}),
    ...(locale ? { locale } : {}),
  };
}

/** As the product inserts it (a lean insertMany: no timestamps, no outbox fields). */
function outcomeRecord(requestId: string, d: RawDecision): OutcomeRecord {
  return {
    _id: sendIdFor(d.tenantId, requestId, d.userId),
    tenantId: d.tenantId,
    requestId,
    userId: d.userId,
    outcome: d.outcome,
    final: d.outcome !== 'due',
  };
}

/** The state as the product leaves it: every field set, fields it dropped unset, no outbox. */
function stateUpsert(d: RawDecision, at: Date): AnyBulkWriteOperation<UserStateDocument> {
  const { _id, ...fields } = storedState(d.after);
  const dropped = d.before
    ? Object.keys(storedState(d.before)).filter((key) => !(key in fields) && key !== '_id')
    : [];
  return {
    updateOne: {
      filter: { _id },
      update: {
        // The outbox fields in $set: the stand-in drops [] and null from $setOnInsert. Nothing
        // else writes these states during the window, so setting them changes nothing else.
        $set: { ...fields, outbox: [], outboxAt: null, updatedAt: at },
        $setOnInsert: { createdAt: at },
        ...(dropped.length > 0
          ? { $unset: Object.fromEntries(dropped.map((key) => [key, ''])) }
          : {}),
      },
      upsert: true,
    },
  };
}

/** Unordered bulk writes, split into commands the server takes (see Raw.updatesPerCommand). */
async function bulkUpsert(
  raw: Raw,
  ops: readonly AnyBulkWriteOperation<UserStateDocument>[],
): Promise<void> {
  const size = Math.min(ops.length, raw.updatesPerCommand);
  for (let start = 0; start < ops.length; start += size)
    await raw.states.bulkWrite(ops.slice(start, start + size), { ordered: false });
}

/**
 * The completion check's reads (completeIfDone): the request's parts and its completion, then,
 * once every part is in, whether any mail is still due. The mix always leaves mails due, so
 * neither side goes on to the tally and the completion's insert inside the window.
 */
async function completionCheck(raw: Raw, requestId: string): Promise<void> {
  const parts = await raw.parts.find({ requestId }).toArray();
  const first = parts[0];
  if (!first) return;
  await raw.completions.findOne({ _id: requestId }, { projection: { completedAt: 1 } });
  if (parts.length < first.partCount) return;
  const due = await raw.outcomes.findOne({ requestId, outcome: 'due' }, { projection: { _id: 1 } });
  if (!due) throw new Error('state baseline: no mail due; the mix must leave some');
}

async function closeState(
  product: Product,
  raw: Raw,
  inFlight: InFlight,
  log: (line: string) => void,
): Promise<void> {
  // A window that timed out may still be writing, and the stand-in dies dropping a database
  // in use: then the database stays (named in the log) and the clients are closed by force.
  const idle = await inFlight.settled(CLOSE_WAIT_MS);
  if (!idle) log('a timed-out window is still running; the database is left behind');
  try {
    await raw.client.close(!idle);
    if (idle) await product.connection.dropDatabase();
  } finally {
    await product.connection.close(!idle);
  }
}
