import type { z } from 'zod';

export type ContractViolationCode =
  'empty' | 'not_json' | 'not_cloudevent' | 'unknown_type' | 'unexpected_type' | 'invalid_data';

export interface ContractViolationIssue {
  /** Where, e.g. `data.users[3].userId`; `(root)` for the value as a whole. */
  path: string;
  /** Which rule was broken. Never contains the offending value. */
  message: string;
}

/**
 * Why a message breaks the contract. It ends up in DLQ headers and logs, which is why no part of
 * it quotes input values: those may be e-mail addresses or tokens.
 */
export interface ContractViolation {
  code: ContractViolationCode;
  message: string;
  issues: ContractViolationIssue[];
}

/** Thrown by producers' helpers: emitting an invalid event is a programming error, not data. */
export class ContractViolationError extends Error {
  constructor(readonly violation: ContractViolation) {
    super(violation.message);
    this.name = 'ContractViolationError';
  }
}

export const ROOT_PATH = '(root)';

/** Enough to locate the problem in a DLQ header without making the header unbounded. */
const MAX_ISSUES_IN_MESSAGE = 5;

export function violation(
  code: ContractViolationCode,
  summary: string,
  issues: ContractViolationIssue[] = [],
): ContractViolation {
  const shown = issues.slice(0, MAX_ISSUES_IN_MESSAGE).map((i) => `${i.path}: ${i.message}`);
  const more = issues.length - shown.length;
  const details = shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
  return { code, message: details ? `${summary}: ${details}` : summary, issues };
}

/**
 * Converts zod issues; `prefix` anchors payload paths under `data`. Parse with
 * `{ reportInput: true }`: the input is needed to tell "missing" from "wrong type" (it is only
 * inspected for its type, never copied into the message).
 */
export function issuesFromZod(
  issues: readonly z.core.$ZodIssue[],
  prefix?: string,
): ContractViolationIssue[] {
  return issues.map((issue) => ({
    path: formatPath(prefix, issue.path),
    message: describeIssue(issue),
  }));
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

export function formatPath(prefix: string | undefined, path: readonly PropertyKey[]): string {
  let out = prefix ?? '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    // Schema keys are identifiers; anything else could be input, so it is not echoed.
    else if (typeof segment === 'string' && IDENTIFIER.test(segment))
      out += out ? `.${segment}` : segment;
    else out += '[?]';
  }
  return out || ROOT_PATH;
}

export function typeNameOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const WITH_ARTICLE: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is required';
      const expected = WITH_ARTICLE[issue.expected] ?? issue.expected;
      return `must be ${expected} (got ${typeNameOf(issue.input)})`;
    }
    case 'too_small':
      return describeBound(issue.origin, 'at least', issue.minimum, issue.inclusive ?? true);
    case 'too_big':
      return describeBound(issue.origin, 'at most', issue.maximum, issue.inclusive ?? true);
    case 'invalid_value':
      if (issue.input === undefined) return 'is required';
      return issue.values.length === 1
        ? `must be ${JSON.stringify(String(issue.values[0]))}`
        : `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    // Every format and refinement in this library carries its own value-free message.
    case 'invalid_format':
    case 'custom':
      return issue.message;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `has ${issue.keys.length} key(s) that are not allowed here`;
    case 'invalid_key':
      return 'has a key that is not allowed here';
    case 'invalid_union':
      return 'does not match any allowed form';
    case 'invalid_element':
      return 'has an invalid element';
  }
}

function describeBound(
  origin: string,
  side: 'at least' | 'at most',
  limit: number | bigint,
  inclusive: boolean,
): string {
  const n = Number(limit);
  switch (origin) {
    case 'string':
      return side === 'at least' && n === 1
        ? 'must not be empty'
        : `must be ${side} ${n} characters`;
    case 'array':
    case 'set':
      return `must have ${side} ${n} item(s)`;
    default: {
      const op = side === 'at least' ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
      return `must be ${op} ${n}`;
    }
  }
}
