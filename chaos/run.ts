/**
 * `npm run chaos`: the pipeline as separate processes on the real local stack, broken on
 * purpose, with its invariants checked from the database, the topics and the SMTP server's
 * log. One line per scenario; exits non-zero on any violation. See docs/guarantees.md.
 *
 *   npm run chaos                   every scenario, full size
 *   npm run chaos -- --quick        the quick subset, small sizes (what CI runs)
 *   npm run chaos -- --only poison-input
 */
import { parseArgs } from 'node:util';
import { deadLetterSummary, deadLetterViolations, readWorldDeadLetters } from './dead-letters';
import type { Scenario, ScenarioResult, Size } from './scenario';
import { importKill, linkerKill, pageKill } from './scenarios/crash-points';
import { poison } from './scenarios/poison';
import { privacy } from './scenarios/privacy';
import { outages } from './scenarios/outages';
import { replay } from './scenarios/replay';
import { rollingRestart } from './scenarios/rolling-restart';
import { smtpTrouble } from './scenarios/smtp-trouble';
import { tokenAbuse } from './scenarios/token-abuse';
import { workerKills } from './scenarios/worker-kills';
import type { World } from './world';

// The privacy scenario reads the logs of all the others, so it comes last.
const SCENARIOS: Scenario[] = [
  workerKills('SIGKILL'),
  workerKills('SIGTERM'),
  pageKill,
  linkerKill,
  importKill,
  rollingRestart,
  outages,
  replay,
  poison,
  smtpTrouble,
  tokenAbuse,
  privacy,
];

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
    },
  });
  const size: Size = values.quick ? 'quick' : 'full';
  const chosen = SCENARIOS.filter(
    (s) =>
      (!values.quick || s.quick) && (!values.only || values.only.includes(s.name) || s === privacy),
  );
  const worlds: World[] = [];
  let failed = 0;
  for (const scenario of chosen) {
    const started = Date.now();
    const mine: World[] = [];
    let result: ScenarioResult | undefined;
    let thrown: unknown;
    try {
      result = await scenario.run(size, scenario === privacy ? worlds : mine);
    } catch (error) {
      thrown = error;
    } finally {
      for (const world of mine) await world.close().catch(() => undefined);
      worlds.push(...mine);
    }
    // Checked once the processes are gone, so a message set aside while they stopped counts too.
    const dead = await checkDeadLetters(mine, result?.deadLetters ?? []);
    const seconds = Math.round((Date.now() - started) / 1000);
    let line: string;
    if (result) {
      const violations = [...result.violations, ...dead.violations];
      const ok = violations.length === 0;
      if (!ok) failed++;
      line =
        `${ok ? 'PASS' : 'FAIL'} ${scenario.name} (${seconds} s): ` +
        `injected ${result.injected}; counted ${result.counted}; ${dead.summary}` +
        (ok ? '' : `; VIOLATIONS: ${violations.join('; ')}`);
    } else {
      failed++;
      line =
        `FAIL ${scenario.name} (${seconds} s): ${thrown instanceof Error ? thrown.message : String(thrown)}` +
        (dead.violations.length > 0 ? `; and ${dead.violations.join('; ')}` : '');
    }
    console.log(`[chaos] ${line}`);
  }
  console.log(`[chaos] ${chosen.length - failed}/${chosen.length} scenarios passed (${size})`);
  process.exit(failed === 0 ? 0 : 1);
}

/** The dead-letter invariant over a scenario's worlds (the privacy scenario has none of its own). */
async function checkDeadLetters(
  worlds: readonly World[],
  expected: ScenarioResult['deadLetters'],
): Promise<{ summary: string; violations: string[] }> {
  if (worlds.length === 0) return { summary: 'no world of its own', violations: [] };
  try {
    const found = (await Promise.all(worlds.map(readWorldDeadLetters))).flat();
    const violations = deadLetterViolations(found, expected);
    return { summary: deadLetterSummary(found, violations), violations };
  } catch (error) {
    const message = `dead letters not read: ${error instanceof Error ? error.message : String(error)}`;
    return { summary: message, violations: [message] };
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
