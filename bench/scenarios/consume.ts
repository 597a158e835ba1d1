import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { parseEvent } from '@app/contracts';
import {
  consumerEnvSchema,
  consumerSettingsFrom,
  createKafka,
  type ConsumerSettings,
} from '@app/messaging';
import { createLogger } from '@app/observability';
import type { Measurement } from '../support/measure';
import { consumeProduct, PRODUCT_HANDLERS } from '../support/product-consumer';
import { consumeRaw } from '../support/raw-consumer';
import type { Sample, Scenario, ScenarioContext, ScenarioRunner } from '../support/scenario';
import { createBenchTopics, fillTopic, type BenchTopic } from '../support/topics';

const EVENTS = 100_000;
const PARTITIONS = 6;
const WARMUP_EVENTS = 5_000;

/**
 * The messaging layer (KafkaEventServer: parse, validate, route, Nest dispatch, commit) with a
 * no-op handler, against kafkajs `eachBatch` that parses and validates every value against the
 * same contract (parseEvent) and does nothing else, on the same filled topic. A baseline that
 * does no work at all is one no validating layer can approach: parsing alone is most of it.
 * Dedupe is off: the processed-event store is a database cost, not the layer's (bench:consume
 * measures it).
 */
export const consumeScenario: Scenario = {
  name: 'consume',
  product: 'KafkaEventServer, no-op handler',
  baseline: 'kafkajs eachBatch, parseEvent of each value against the contract',
  unit: 'events',
  open: openConsume,
};

interface Clients {
  settings: ConsumerSettings;
  rawKafka: Kafka;
  admin: Admin;
  kafka: Kafka;
  producer: Producer;
  logger: Logger;
}

async function openConsume(context: ScenarioContext): Promise<ScenarioRunner> {
  const clients = await connect(context);
  // Never fewer than 100k: one fetch round brings ~10k events, and a smaller topic would be
  // read in one round, timing nothing but already-fetched batches. The run takes seconds.
  const events = Math.max(EVENTS, Math.round(EVENTS * context.scale));
  // One topic per run, read by both sides; filled before either window opens.
  const filled = new Map<number, BenchTopic>();
  const groups: string[] = [];

  const topicFor = async (run: number, size: number): Promise<BenchTopic> => {
    const known = filled.get(run);
    if (known) return known;
    const created = await createBenchTopics(clients.admin, {
      partitions: PARTITIONS,
      retries: clients.settings.retry.delaysMs.length,
    });
    const topic = await fillTopic(clients.rawKafka, clients.admin, created, PARTITIONS, size);
    filled.set(run, topic);
    return topic;
  };
  const sample = (m: Measurement): Sample => {
    groups.push(m.groupId);
    // Steady state: the product's window would otherwise include its connect and subscribe,
    // which the baseline does before its window opens.
    return { items: m.steady.events, ms: m.steady.ms, figures: { fullWindowMs: m.ms } };
  };
  const product = async (run: number, size = events) =>
    sample(
      await consumeProduct(
        clients,
        await topicFor(run, size),
        PRODUCT_HANDLERS.plain,
        undefined,
        context.timeoutMs,
      ),
    );
  const baseline = async (run: number, size = events) =>
    sample(
      await consumeRaw(
        clients.rawKafka,
        await topicFor(run, size),
        clients.settings,
        context.timeoutMs,
        validate,
      ),
    );

  return {
    items: events,
    async warmUp() {
      await product(0, WARMUP_EVENTS);
      await baseline(0, WARMUP_EVENTS);
    },
    product: (run) => product(run),
    baseline: (run) => baseline(run),
    close: () =>
      close(
        clients,
        groups,
        [...filled.values()].flatMap((t) => t.created),
      ),
  };
}

/** The baseline's work per value: what the layer must do at least, and it must succeed. */
function validate(value: Buffer | null): void {
  const parsed = parseEvent(value, 'VerificationRequested');
  if (!parsed.ok) throw new Error(`bench event failed the contract: ${parsed.error.code}`);
}

async function connect(context: ScenarioContext): Promise<Clients> {
  // The product's own consumer defaults (CONSUMER_* from the environment), shared by the baseline.
  const settings = consumerSettingsFrom(consumerEnvSchema.parse(process.env), 'bench.consume');
  const rawKafka = new Kafka({
    clientId: 'bench-consume-raw',
    brokers: context.stack.brokers,
    logLevel: logLevel.ERROR,
  });
  const logger = createLogger({ service: 'bench-consume', version: '0.0.0', level: 'warn' });
  const kafka = createKafka({ brokers: context.stack.brokers, clientId: 'bench-consume', logger });
  const admin = rawKafka.admin();
  // KafkaEventServer expects a live producer (for retry and dead-letter copies, unused here).
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await admin.connect();
  await producer.connect();
  return { settings, rawKafka, admin, kafka, producer, logger };
}

async function close(clients: Clients, groups: string[], topics: string[]): Promise<void> {
  // Groups first: deleting a topic drops their offsets and, with them, the groups.
  if (groups.length > 0) await clients.admin.deleteGroups(groups).catch(() => undefined);
  if (topics.length > 0) await clients.admin.deleteTopics({ topics }).catch(() => undefined);
  await clients.producer.disconnect();
  await clients.admin.disconnect();
  clients.logger.flush();
}
