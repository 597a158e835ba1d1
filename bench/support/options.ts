import { parseArgs } from 'node:util';

export const VARIANT_NAMES = ['raw', 'raw-json', 'raw-contract', 'layer', 'layer-dedupe'] as const;
export type VariantName = (typeof VARIANT_NAMES)[number];

export interface BenchOptions {
  events: number;
  runs: number;
  partitions: number;
  warmupEvents: number;
  timeoutMs: number;
  variants: VariantName[];
  /** Write a .cpuprofile of each timed product window (not of the fill or the baseline). */
  profile: boolean;
}

const USAGE = `usage: node -r @swc-node/register bench/consume.bench.ts [options]
  --events N        events per timed run (default 100000)
  --runs N          timed runs per variant (default 5)
  --partitions N    partitions of each bench topic (default 6)
  --warmup N        events of the untimed warm-up run (default 5000; 0 skips it)
  --timeout-s N     give up on one measurement after N seconds (default 900)
  --variants LIST   comma list of ${VARIANT_NAMES.join(', ')} (default: all)
                    raw-json / raw-contract: the baseline plus JSON.parse / parseEvent per value
  --profile         write bench/results/profile/<variant>-run<i>.cpuprofile of the product windows`;

export function parseOptions(argv: string[] = process.argv.slice(2)): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string', default: '100000' },
      runs: { type: 'string', default: '5' },
      partitions: { type: 'string', default: '6' },
      warmup: { type: 'string', default: '5000' },
      'timeout-s': { type: 'string', default: '900' },
      variants: { type: 'string', default: VARIANT_NAMES.join(',') },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const variants = values.variants.split(',').map((v) => v.trim());
  const unknown = variants.filter((v) => !(VARIANT_NAMES as readonly string[]).includes(v));
  if (unknown.length > 0 || variants.length === 0)
    throw new Error(`unknown variant(s) ${unknown.join(', ')}\n${USAGE}`);
  return {
    events: positive(values.events, '--events'),
    runs: positive(values.runs, '--runs'),
    partitions: positive(values.partitions, '--partitions'),
    warmupEvents: nonNegative(values.warmup, '--warmup'),
    timeoutMs: positive(values['timeout-s'], '--timeout-s') * 1000,
    variants: variants as VariantName[],
    profile: values.profile,
  };
}

function positive(raw: string, flag: string): number {
  const n = nonNegative(raw, flag);
  if (n === 0) throw new Error(`${flag} must be a positive integer`);
  return n;
}

function nonNegative(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Error(`${flag} must be an integer >= 0 (got ${raw})\n${USAGE}`);
  return n;
}
