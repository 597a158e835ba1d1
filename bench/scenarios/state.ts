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
  findByIds,
  RequestProgressRepository,
  requestPartId,
  requestRecordId,
  USER_STATE_COLLECTION,
  type UserStateDocument,
  userStateId,
  UserStateRepository,
} from '@app/persistence';
import {
  emptyCounts as emptyPartCounts,
  REQUEST_COLLECTION,
  REQUEST_PART_COLLECTION,
  REQUEST_USER_COLLECTION,
  type RequestDocument,
  type RequestPartDocument,
  type RequestUserDocument,
} from '@app/persistence/verification-request/verification-request.schema';
import {
  decideVerification,
  type DecisionPolicy,
  type OutcomeValue,
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

/** The bare driver on the same database. */
interface Raw {
  client: MongoClient;
  db: Db;
  states: Collection<UserStateDocument>;
  requests: Collection<RequestDocument>;
  parts: Collection<RequestPartDocument>;
  users: Collection<RequestUserDocument>;
}

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
  const raw = await openRaw(uri).catch(async (error: unknown) => {
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
  context.log(`state: ${users} users in parts of ${PART_SIZE} on ${database}`);

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
        return plan.part.users.length;
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
  const connection = await connectMongo(uri);
  const userStates = new UserStateRepository(connection);
  const progress = new RequestProgressRepository(connection);
  // As VerificationWorkerModule wires it, with the relay's flush minus the Kafka send.
  const record = new RecordVerificationRequest(
    userStates,
    progress,
    POLICY,
    acknowledgeOnly,
    // The hand-offs go to Kafka, which this scenario leaves out (fan-out measures it).
    async () => undefined,
  );
  return { connection, userStates, progress, record };
}

/**
 * OutboxRelay.flush without publishing: what the product does to the database once its events
 * are on Kafka (a $pull of the entries per document).
 */
async function acknowledgeOnly(batch: OutboxBatch): Promise<void> {
  if (batch.pending.length > 0) await batch.store.acknowledge(batch.pending);
}

async function openRaw(uri: string): Promise<Raw> {
  const client = new mongoose.mongo.MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  const db = client.db();
  return {
    client,
    db,
    states: db.collection<UserStateDocument>(USER_STATE_COLLECTION),
    requests: db.collection<RequestDocument>(REQUEST_COLLECTION),
    parts: db.collection<RequestPartDocument>(REQUEST_PART_COLLECTION),
    users: db.collection<RequestUserDocument>(REQUEST_USER_COLLECTION),
  };
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
  // Collections, not the database: the product's connection keeps using it.
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
 * Commands one client sent in a window, by kind: where the time goes. Counting costs both
 * sides the same: an event per command and a second decoding of each reply.
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
  request: RequestDocument;
  users: RequestUserDocument[];
  part: RequestPartDocument;
  upserts: AnyBulkWriteOperation<UserStateDocument>[];
}

/**
 * The documents the product writes for a part, from the seeded states and the domain's own
 * decideVerification (RecordVerificationRequest's rules: every user in the part's record, a
 * state write for a changed status, address or profile). Dates are the plan's.
 */
function planPart(
  event: CloudEvent<'VerificationRequested'>,
  priors: ReadonlyMap<string, UserState>,
  at: Date,
): PartPlan {
  const { tenantId, requestId, users, part } = event.data;
  const decided = users.map((entry) => decideRaw(tenantId, entry, priors.get(entry.userId), at));
  const counts = emptyPartCounts();
  for (const d of decided) {
    counts.requested += 1;
    counts[d.outcome] += 1;
  }
  return {
    stateIds: users.map((u) => userStateId(tenantId, u.userId)),
    known: decided.filter((d) => d.before).length,
    request: {
      _id: requestRecordId(tenantId, requestId),
      tenantId,
      requestId,
      partCount: part.count,
      createdAt: at,
      completedAt: null,
      outbox: [],
    },
    users: decided.map((d, slot) => ({
      _id: sendIdFor(tenantId, requestId, d.userId),
      tenantId,
      requestId,
      userId: d.userId,
      part: part.index,
      slot,
    })),
    part: {
      _id: requestPartId(tenantId, requestId, part.index),
      tenantId,
      requestId,
      index: part.index,
      users: decided.map((d) => d.userId),
      outcomes: decided.map((d) => d.outcome),
      counts,
      createdAt: at,
      outbox: [],
    },
    upserts: decided.flatMap((d) => (d.write ? [stateUpsert(d, at)] : [])),
  };
}

/**
 * The part's database work with the bare driver: the product's read of the states, the
 * request's record, one insertMany of the part's users, the part's record, the states as one
 * unordered bulk of upserts, and the completion check's reads.
 */
async function baselinePart(raw: Raw, plan: PartPlan): Promise<void> {
  // In the product's lists of 100 ids (findByIds): one list of 1,000 is slower on the local
  // server, and the baseline should not be.
  const found = await findByIds(raw.states, plan.stateIds, { outbox: 0 });
  if (found.length !== plan.known)
    throw new Error(`baseline read ${found.length} states, expected ${plan.known}`);
  const { _id, ...request } = plan.request;
  await raw.requests.updateOne({ _id }, { $setOnInsert: request }, { upsert: true });
  await raw.users.insertMany(plan.users, { ordered: false });
  await raw.parts.insertOne(plan.part);
  if (plan.upserts.length > 0) await raw.states.bulkWrite(plan.upserts, { ordered: false });
  await completionCheck(raw, plan.request);
}

interface RawDecision {
  tenantId: string;
  userId: string;
  before: UserState | undefined;
  after: UserState;
  outcome: OutcomeValue;
  /** The product rewrites a state when its status, address or profile changed. */
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
  const changed =
    !before ||
    before.status !== after.status ||
    before.email !== after.email ||
    before.displayName !== after.displayName ||
    before.companyId !== after.companyId ||
    before.locale !== after.locale;
  return {
    tenantId,
    userId: entry.userId,
    before,
    after,
    outcome: decision.kind === 'send' ? 'due' : decision.reason,
    write: changed,
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
        $set: { ...fields, updatedAt: at },
        $setOnInsert: { createdAt: at },
        $inc: { version: 1 },
        ...(dropped.length > 0
          ? { $unset: Object.fromEntries(dropped.map((key) => [key, ''])) }
          : {}),
      },
      upsert: true,
    },
  };
}

/**
 * The completion check's reads (completeIfDone): the request's record, then its parts' counts
 * by _id. The mix always leaves mails due, so neither side completes inside the window.
 */
async function completionCheck(raw: Raw, request: RequestDocument): Promise<void> {
  const found = await raw.requests.findOne(
    { _id: request._id },
    { projection: { partCount: 1, completedAt: 1 } },
  );
  if (!found) throw new Error('state baseline: the request record is missing');
  const ids = Array.from({ length: found.partCount }, (_, i) =>
    requestPartId(request.tenantId, request.requestId, i + 1),
  );
  const parts = await findByIds(raw.parts, ids, { counts: 1 });
  const due = parts.reduce((n, p) => n + (p.counts.due ?? 0), 0);
  if (parts.length === found.partCount && due === 0)
    throw new Error('state baseline: no mail due; the mix must leave some');
}

async function closeState(
  product: Product,
  raw: Raw,
  inFlight: InFlight,
  log: (line: string) => void,
): Promise<void> {
  // A window that timed out may still be writing: then the database stays (named in the log)
  // and the clients are closed by force.
  const idle = await inFlight.settled(CLOSE_WAIT_MS);
  if (!idle) log('a timed-out window is still running; the database is left behind');
  try {
    await raw.client.close(!idle);
    if (idle) await product.connection.dropDatabase();
  } finally {
    await product.connection.close(!idle);
  }
}
