import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Environment } from '@app/config';

/** Where a command writes: stdout for results, stderr for progress and notices. */
export interface OpsOutput {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal: live progress may redraw a line. */
  interactive: boolean;
}

export interface OpsContext {
  env: Environment;
  output: OpsOutput;
  /** Aborted on Ctrl-C: following commands stop and clean up. */
  signal: AbortSignal;
}

export interface OpsCommand {
  name: string;
  /** One line for the list of commands. */
  summary: string;
  /** The whole help of the command, printed by `--help`. */
  help: string;
  /** Resolves to the process exit code. */
  run(args: string[], context: OpsContext): Promise<number>;
}

/** Prints a command's help; exit code 0. */
export function showHelp(command: OpsCommand, output: OpsOutput): number {
  output.out(`${command.help}\n`);
  return 0;
}

/** A wrong invocation: the command's help follows the message, the exit code is 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedCommand {
  positionals: string[];
  help: boolean;
  json: boolean;
  /** A string option's value, if given. */
  text(name: string): string | undefined;
  /** A boolean option's value, if given (or defaulted). */
  flag(name: string): boolean | undefined;
}

/**
 * Parses a command's arguments, with `--help` and `--json` for every command, and `--no-x` for
 * each boolean `x`. Positionals are checked against `positionals` (their names, for the error).
 */
export function parseCommand(
  args: string[],
  options: Options,
  positionals: readonly string[] = [],
): ParsedCommand {
  const parsed = parseArgs({
    args,
    options: {
      ...options,
      help: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: positionals.length > 0,
    allowNegative: true,
    strict: true,
  });
  const values: Record<string, unknown> = parsed.values;
  const help = values.help === true;
  if (!help && parsed.positionals.length !== positionals.length) {
    throw new UsageError(
      `expected ${positionals.map((p) => `<${p}>`).join(' ')}, got ${parsed.positionals.length} argument(s)`,
    );
  }
  return {
    positionals: parsed.positionals,
    help,
    json: values.json === true,
    text: (name) => (typeof values[name] === 'string' ? values[name] : undefined),
    flag: (name) => (typeof values[name] === 'boolean' ? values[name] : undefined),
  };
}

/** A positive whole number from an option, or a usage error naming the option. */
export function positiveOption(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--${name} must be a positive whole number, got ${text}`);
  }
  return value;
}
