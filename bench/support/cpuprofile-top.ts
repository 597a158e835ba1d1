/**
 * Top self-time functions of a .cpuprofile, and for each the nearest project frame above it
 * (libs/, apps/), so time spent in zod or kafkajs is charged to the line of ours that asked.
 *
 *   node -r @swc-node/register bench/support/cpuprofile-top.ts FILE.cpuprofile [--top 25]
 *
 * V8 reports positions in the code @swc-node/register generated, not in the .ts file; the
 * script loads each project file again with source maps on and maps positions back to .ts lines.
 */
import { readFileSync } from 'node:fs';
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
  /** Samples per (1-based, generated) line of this function. */
  positionTicks?: { line: number; ticks: number }[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const PROJECT = /\/(libs|apps)\/[^/]+\/src\//;

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' } },
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: cpuprofile-top.ts FILE.cpuprofile [--top N]');
  const top = Number(values.top);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Self time per sample: the delta that follows it (V8's own convention).
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)),
  );
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const self = new Map<string, number>();
  const hotLines = new Map<string, number>();
  const charged = new Map<string, number>();
  const inclusiveProject = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id) as ProfileNode;
    add(self, frameName(node.callFrame), us);
    addHotLines(hotLines, node, us);
    const owner = nearestProjectFrame(id, byId, parent);
    add(charged, owner ? frameName(owner) : '(no project frame)', us);
    // Inclusive time of each project function (counted once per sample even if recursive).
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = (byId.get(at) as ProfileNode).callFrame;
      if (!PROJECT.test(frame.url)) continue;
      const name = frameName(frame);
      if (!seen.has(name)) add(inclusiveProject, name, us);
      seen.add(name);
    }
  }

  console.log(`${file}: ${(totalUs / 1e6).toFixed(2)} s sampled`);
  print('top self time', self, totalUs, top);
  print('hot lines in project code (self time)', hotLines, totalUs, top);
  print('self time charged to the nearest project frame', charged, totalUs, top);
  print('inclusive time of project functions', inclusiveProject, totalUs, top);
}

function nearestProjectFrame(
  id: number,
  byId: Map<number, ProfileNode>,
  parent: Map<number, number>,
): CallFrame | undefined {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frame = (byId.get(at) as ProfileNode).callFrame;
    if (PROJECT.test(frame.url)) return frame;
  }
  return undefined;
}

function frameName(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const path = pathOf(frame.url);
  const line = PROJECT.test(path)
    ? sourceLine(path, frame.lineNumber, frame.columnNumber)
    : undefined;
  return `${name}  ${shortPath(path)}:${line ?? `~${frame.lineNumber + 1}`}`;
}

/** Splits a project function's self time over its .ts lines by its per-line samples. */
function addHotLines(map: Map<string, number>, node: ProfileNode, us: number): void {
  const path = pathOf(node.callFrame.url);
  const ticks = node.positionTicks ?? [];
  const total = ticks.reduce((sum, t) => sum + t.ticks, 0);
  if (!PROJECT.test(path) || total === 0) return;
  for (const t of ticks) {
    // Column far right: the last mapping on that generated line, i.e. the statement on it.
    const line = sourceLine(path, t.line - 1, 10_000);
    add(
      map,
      `${shortPath(path)}:${line ?? `~${t.line}`}  (in ${node.callFrame.functionName || '(anonymous)'})`,
      (us * t.ticks) / total,
    );
  }
}

function pathOf(url: string): string {
  return url.startsWith('file://') ? fileURLToPath(url) : url;
}

function shortPath(path: string): string {
  return path.replace(/^.*\/(libs|apps|bench)\//, '$1/').replace(/^.*\/node_modules\//, '');
}

const loaded = new Set<string>();

/** The .ts line (1-based) of a 0-based position in the code generated for `path`. */
function sourceLine(path: string, line0: number, column0: number): number | undefined {
  if (!loaded.has(path)) {
    loaded.add(path);
    try {
      // Compiles the file as the bench did (same register hook), now keeping its source map.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known only at run time
      require(path);
    } catch {
      return undefined;
    }
  }
  // Node returns {} for a position without a mapping.
  const entry: { originalLine?: number } | undefined = findSourceMap(path)?.findEntry(
    line0,
    column0,
  );
  return entry?.originalLine === undefined ? undefined : entry.originalLine + 1;
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

function print(title: string, map: Map<string, number>, totalUs: number, top: number): void {
  console.log(`\n${title}:`);
  const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, us] of rows) {
    console.log(
      `${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`,
    );
  }
}

// Before any project file is loaded, so that their inline source maps are kept.
process.setSourceMapsEnabled(true);
main();
