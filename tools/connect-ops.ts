/**
 * connect-ops: what operators ask of the pipeline, from the command line. Human output by
 * default, `--json` for scripts; `connect-ops <command> --help` for each command.
 *
 *   npm run ops -- status acme u-1001
 */
import { ConfigError } from '@app/config';
import { dlqCommand } from './ops/dlq-command';
import { importCommand } from './ops/import-command';
import { lagCommand } from './ops/lag-command';
import { UsageError, type OpsCommand, type OpsContext } from './ops/ops-command';
import { requestCommand } from './ops/request-command';
import { resendCommand } from './ops/resend-command';
import { statusCommand } from './ops/status-command';
import { tailCommand } from './ops/tail-command';

const COMMANDS: readonly OpsCommand[] = [
  statusCommand,
  requestCommand,
  importCommand,
  tailCommand,
  lagCommand,
  dlqCommand,
  resendCommand,
];

const USAGE = `usage: connect-ops <command> [arguments] [--json] [--help]

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}

Every command takes --help, and --json for machine-readable output.

environment (defaults: the local stack of npm start):
  KAFKA_BROKERS   comma-separated brokers (127.0.0.1:9092)
  MONGODB_URI     the pipeline's database (mongodb://127.0.0.1:27017/connect-provisioning)
  TOPIC_*         topic overrides, as the services read them`;

export async function runOps(argv: string[], context: OpsContext): Promise<number> {
  // `npm run ops -- x` passes a literal `--` first.
  const [name, ...args] = argv[0] === '--' ? argv.slice(1) : argv;
  if (name === undefined || name === '--help' || name === 'help') {
    context.output.out(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    context.output.err(`connect-ops: unknown command '${name}'\n\n${USAGE}\n`);
    return 2;
  }
  try {
    return await command.run(args, context);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      context.output.err(`connect-ops ${name}: ${(error as Error).message}\n\n${command.help}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      context.output.err(`connect-ops: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

if (require.main === module) {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  runOps(process.argv.slice(2), {
    env: process.env,
    signal: controller.signal,
    output: {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      interactive: process.stdout.isTTY === true,
    },
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`connect-ops: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
