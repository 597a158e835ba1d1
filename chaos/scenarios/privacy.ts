import { tokenIn } from '../../test/support/page-client';
import { check, type Scenario, type ScenarioResult } from '../scenario';
import type { World } from '../world';

// An address written out whole: a local part that is not the masked "x***".
const WHOLE_ADDRESS = /[A-Za-z0-9._%+-]*[A-Za-z0-9._%+-]@[A-Za-z0-9-]+\.[A-Za-z]{2,}/g;
const MASKED = /^.\*\*\*@/;

/**
 * Scenario 9: the logs of every process of the whole run hold no verification token and no
 * address that is not masked. Runs last, over the worlds of the scenarios before it.
 */
export const privacy: Scenario = {
  name: 'logs-private',
  quick: true,
  async run(_size, worlds: World[]): Promise<ScenarioResult> {
    const tokens = new Set<string>();
    for (const world of worlds)
      for (const mail of world.sink.mails) {
        const token = tokenIn(mail.parsed.text, world.env.PUBLIC_BASE_URL ?? '');
        if (token) tokens.add(token);
      }
    const lines = worlds.flatMap((w) => w.logLines.map((l) => JSON.stringify(l)));
    const leaks: string[] = [];
    for (const line of lines) {
      for (const token of tokens)
        if (line.includes(token)) leaks.push(`token in: ${line.slice(0, 200)}`);
      for (const address of line.match(WHOLE_ADDRESS) ?? [])
        if (!MASKED.test(address) && !address.endsWith('.local'))
          leaks.push(`address ${address} in: ${line.slice(0, 200)}`);
    }
    return {
      injected: `scanned ${lines.length} log lines of ${worlds.length} runs for ${tokens.size} tokens and every address`,
      counted: `${leaks.length} leaks`,
      violations: [...check(lines.length > 0, 'no log lines to scan'), ...leaks.slice(0, 5)],
      deadLetters: [],
    };
  },
};
