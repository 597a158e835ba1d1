import { Kafka, logLevel } from 'kafkajs';
import { BULK_LANE, laneTopicOf, MAIL_LANES } from '@app/contracts';
import { readDeadLetters, readDeadLetterTopics, type DeadLetter } from '@app/messaging';
import type { World } from './world';

/** The topics the product consumes: each one sets what it cannot handle aside in its `.dlq`. */
export const CONSUMED_TYPES = [
  'VerificationRequested',
  'UserImportUploaded',
  'EmailVerified',
  'VerificationMailRequested',
] as const;

/** A dead letter a scenario causes on purpose. */
export interface ExpectedDeadLetter {
  /** The source topic (not its `.dlq`). */
  topic: string;
  /** The `error-code` it must carry. */
  code: string;
  /** Where it was first read, `<partition>@<offset>`, when the scenario knows. */
  at?: string;
}

/** A dead letter found in one of a world's dead-letter topics. */
export type FoundDeadLetter = DeadLetter & { topic: string };

/**
 * Every dead letter of the world's consumed topics. The offsets say which `.dlq` topics hold
 * any; only those are read (through the operators' dry-run reader, so nobody's position moves).
 * Topics a world never created (no import worker, no import topics) hold none.
 */
export async function readWorldDeadLetters(world: World): Promise<FoundDeadLetter[]> {
  const kafka = new Kafka({
    clientId: 'chaos-dead-letters',
    brokers: (world.env.KAFKA_BROKERS ?? '').split(','),
    logLevel: logLevel.NOTHING,
  });
  const sources = [
    ...CONSUMED_TYPES.map((type) => world.topic(type)),
    ...MAIL_LANES.map((lane) => laneTopicOf(world.topic('VerificationMailRequested'), lane)),
    laneTopicOf(world.topic('VerificationRequested'), BULK_LANE),
  ];
  const holding = (await readDeadLetterTopics(kafka, sources))
    .filter((t) => t.messages > 0)
    .map((t) => t.sourceTopic);
  const letters = await Promise.all(
    holding.map(async (topic) =>
      (await readDeadLetters(kafka, topic)).map((letter) => ({ ...letter, topic })),
    ),
  );
  return letters.flat();
}

/**
 * The invariant: every dead letter is one the scenario expects, and every expected one is there.
 * A violation counts the unexpected letters by topic, error code and message.
 */
export function deadLetterViolations(
  found: readonly FoundDeadLetter[],
  expected: readonly ExpectedDeadLetter[],
): string[] {
  const unmatched = [...found];
  const missing: ExpectedDeadLetter[] = [];
  for (const want of expected) {
    const i = unmatched.findIndex((letter) => matches(letter, want));
    if (i >= 0) unmatched.splice(i, 1);
    else missing.push(want);
  }
  const violations: string[] = [];
  if (unmatched.length > 0)
    violations.push(`${unmatched.length} unexpected dead letters: ${countsOf(unmatched)}`);
  if (missing.length > 0)
    violations.push(
      `${missing.length} expected dead letters missing: ${missing
        .map((m) => `${shortName(m.topic)}${m.at ? ` ${m.at}` : ''} ${m.code}`)
        .join(', ')}`,
    );
  return violations;
}

function matches(letter: FoundDeadLetter, want: ExpectedDeadLetter): boolean {
  return (
    letter.topic === want.topic &&
    letter.errorCode === want.code &&
    (want.at === undefined || letter.original === `${want.topic}/${want.at}`)
  );
}

// A result line stays readable when a bug sets thousands of messages aside in many variants.
const MAX_GROUPS_SHOWN = 10;

/** e.g. `verification-mail-requested: 614× TypeError "Cannot read …", 200× retries_exhausted "read ECONNRESET"`. */
function countsOf(letters: readonly FoundDeadLetter[]): string {
  const counts = new Map<string, number>();
  for (const letter of letters) {
    const message = (letter.errorMessage ?? '').slice(0, 120);
    const key = `${shortName(letter.topic)}: ${letter.errorCode ?? '(no code)'} "${message}"`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const groups = [...counts].sort((a, b) => b[1] - a[1]).map(([key, n]) => `${n}× ${key}`);
  const shown = groups.slice(0, MAX_GROUPS_SHOWN).join('; ');
  const rest = groups.length - MAX_GROUPS_SHOWN;
  return rest > 0 ? `${shown}; and ${rest} more kinds` : shown;
}

/** A world's topic without its random prefix: `e2e.chaos-x-1a2b.connect.foo.v1` → `connect.foo.v1`. */
function shortName(topic: string): string {
  return topic.replace(/^e2e\.[^.]+\./, '');
}

/** One phrase for the result line: how many dead letters, and whether each was expected. */
export function deadLetterSummary(found: readonly FoundDeadLetter[], violations: string[]): string {
  if (found.length === 0) return 'no dead letters';
  return `${found.length} dead letters${violations.length === 0 ? ', each one expected' : ''}`;
}
