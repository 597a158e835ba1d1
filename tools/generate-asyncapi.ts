/**
 * Generates docs/asyncapi.yaml from the zod schemas in @app/contracts, so the published contract
 * and the runtime validation cannot disagree. Run after changing a schema:
 *   node -r @swc-node/register tools/generate-asyncapi.ts
 * A unit test fails while the committed file differs from what this produces.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
// Relative on purpose: swc-node, which runs this script, does not resolve tsconfig path aliases.
import {
  ALL_EVENT_TYPES,
  CLOUDEVENTS_CONTENT_TYPE,
  DEFAULT_TOPICS,
  KAFKA_KEY_RULES,
  BULK_LANE,
  MAIL_LANES,
  cloudEventSchemaOf,
  laneTopicOf,
  type EventType,
} from '../libs/contracts/src';

export const ASYNCAPI_PATH = resolve(__dirname, '../docs/asyncapi.yaml');
export const GENERATOR_COMMAND = 'node -r @swc-node/register tools/generate-asyncapi.ts';

type JsonObject = { [key: string]: unknown };

/** Producer and consumer per the spec's topic table. */
const ROLES: Readonly<Record<EventType, { producer: string; consumer: string }>> = {
  VerificationRequested: { producer: 'HRM', consumer: 'the product' },
  UserImportUploaded: { producer: 'HRM', consumer: 'the product' },
  EmailVerified: {
    producer: "the product's verification page, or Visma Connect",
    consumer: 'the product',
  },
  VismaConnectLinked: { producer: 'the product', consumer: 'the identity service' },
  VerificationStatusChanged: { producer: 'the product', consumer: 'HRM and operators' },
  VerificationBatchCompleted: { producer: 'the product', consumer: 'HRM and operators' },
  UserImportCompleted: { producer: 'the product', consumer: 'HRM and operators' },
  VerificationMailRequested: {
    producer: "the product's decision step (internal)",
    consumer: "the product's mail step (internal)",
  },
};

/** The lanes an event type's messages may travel in, beside its own topic. */
function laneNote(type: EventType, topic: string): string {
  if (type === 'VerificationRequested')
    return (
      ` The product decides a request of one part and at most MAIL_INTERACTIVE_MAX_USERS users ` +
      `where it arrives, and passes every other request on, unchanged, to ` +
      `\`${laneTopicOf(topic, BULK_LANE)}\` (internal), read by a consumer group of its own, so ` +
      `that a small request never waits for another tenant's parts on its partition.`
    );
  if (type !== 'VerificationMailRequested') return '';
  const lanes = MAIL_LANES.map((lane) => `\`${laneTopicOf(topic, lane)}\``).join(', ');
  return (
    ` The mails of an interactive request (one part of at most MAIL_INTERACTIVE_MAX_USERS users, ` +
    `with \`lane: interactive\`) travel on ${lanes} instead, read by a consumer group of their ` +
    `own, so that a single send never queues behind a bulk request's mails.`
  );
}

// EmailVerified is in both lists: the product's own verification page emits it and the product
// also consumes it (alongside Visma Connect's).
const PRODUCT_RECEIVES: readonly EventType[] = [
  'VerificationRequested',
  'UserImportUploaded',
  'EmailVerified',
  'VerificationMailRequested',
];
const PRODUCT_SENDS: readonly EventType[] = ALL_EVENT_TYPES.filter(
  (type) => type !== 'VerificationRequested' && type !== 'UserImportUploaded',
);

const INFO_DESCRIPTION = [
  'connect-provisioning moves Flex HRM users onto Visma Connect. It sends verification mails when ' +
    'an administrator asks for them (one user, or every user matching a search and filters), ' +
    'verifies the address when the user follows the link, and then activates the Visma Connect ' +
    'link. It also imports addresses in bulk from the Employees/users template.',
  'Every message value is a CloudEvents 1.0 event in structured JSON mode (CloudEvents Kafka ' +
    `protocol binding), sent with the Kafka header \`content-type: ${CLOUDEVENTS_CONTENT_TYPE}\`. ` +
    'The event `id` is the deduplication key: the same id delivered twice has the effect of one. ' +
    'Events the product emits carry deterministic ids where one fact could otherwise be emitted twice.',
  'Topic names below are defaults; every name is configurable. A message that is not valid JSON, ' +
    'not a CloudEvent, or whose `data` breaks its schema is moved to `<topic>.dlq` (the source ' +
    'topic name plus `.dlq`) with its original bytes and a header saying why; it never stops the ' +
    'partition and never crashes a worker.',
].join('\n\n');

export function buildAsyncApiDocument(): JsonObject {
  const channels: JsonObject = {};
  const messages: JsonObject = {};
  const operations: JsonObject = {};

  for (const type of ALL_EVENT_TYPES) {
    const { producer, consumer } = ROLES[type];
    const topic = DEFAULT_TOPICS[type];
    channels[type] = {
      address: topic,
      title: type,
      description:
        `${type} events. Produced by ${producer}; consumed by ${consumer}. ` +
        `Kafka key: ${KAFKA_KEY_RULES[type]}. \`${topic}\` is the default name; every topic name is ` +
        `configurable. Messages that break the contract go to \`${topic}.dlq\`.` +
        laneNote(type, topic),
      messages: { [type]: { $ref: `#/components/messages/${type}` } },
    };
    messages[type] = messageOf(type);
  }
  for (const type of PRODUCT_RECEIVES) operations[`receive${type}`] = operationOf('receive', type);
  for (const type of PRODUCT_SENDS) operations[`send${type}`] = operationOf('send', type);

  return {
    asyncapi: '3.0.0',
    info: { title: 'connect-provisioning events', version: '1.0.0', description: INFO_DESCRIPTION },
    defaultContentType: 'application/cloudevents+json',
    servers: {
      'local-kafka': {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'The Kafka broker of the local stack (npm run stack:up).',
      },
    },
    channels,
    operations,
    components: { messages },
  };
}

function messageOf(type: EventType): JsonObject {
  return {
    name: type,
    title: type,
    contentType: 'application/cloudevents+json',
    headers: {
      type: 'object',
      properties: {
        'content-type': {
          type: 'string',
          const: CLOUDEVENTS_CONTENT_TYPE,
          description: 'Structured-mode CloudEvents (CloudEvents Kafka protocol binding).',
        },
      },
    },
    payload: jsonSchemaOf(cloudEventSchemaOf(type)),
    bindings: {
      kafka: {
        key: {
          type: 'string',
          description:
            KAFKA_KEY_RULES[type] === 'tenantId'
              ? "data.tenantId, so one tenant's events stay ordered."
              : "data.tenantId + ':' + data.userId, so one user's events stay ordered.",
        },
        bindingVersion: '0.5.0',
      },
    },
  };
}

function operationOf(action: 'send' | 'receive', type: EventType): JsonObject {
  return {
    action,
    title: `${action === 'send' ? 'Emit' : 'Consume'} ${type}`,
    summary:
      action === 'send'
        ? `The product publishes ${type}.`
        : `The product consumes ${type} (produced by ${ROLES[type].producer}).`,
    channel: { $ref: `#/channels/${type}` },
    messages: [{ $ref: `#/channels/${type}/messages/${type}` }],
  };
}

/**
 * The input shape (defaults optional), as producers write it. Draft-07 is what the AsyncAPI schema
 * format extends; the `$schema` marker is dropped because AsyncAPI documents do not carry it.
 */
function jsonSchemaOf(schema: z.ZodType): JsonObject {
  const json: JsonObject = { ...z.toJSONSchema(schema, { io: 'input', target: 'draft-7' }) };
  delete json.$schema;
  return json;
}

/** Formatted with the repo's Prettier config so that `prettier --check .` accepts the file. */
export async function renderAsyncApiYaml(): Promise<string> {
  const header =
    '# Generated from libs/contracts by tools/generate-asyncapi.ts. Do not edit.\n' +
    `# Regenerate with: ${GENERATOR_COMMAND}\n`;
  const yaml = header + stringify(buildAsyncApiDocument(), { lineWidth: 100 });
  // Loaded lazily: Prettier uses dynamic import(), which jest's VM cannot run, and the spec only
  // needs buildAsyncApiDocument.
  const { format, resolveConfig } = await import('prettier');
  const config = await resolveConfig(ASYNCAPI_PATH);
  return format(yaml, { ...config, parser: 'yaml' });
}

if (require.main === module) {
  renderAsyncApiYaml()
    .then((text) => {
      writeFileSync(ASYNCAPI_PATH, text, 'utf8');
      process.stdout.write(`wrote ${ASYNCAPI_PATH}\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    });
}
