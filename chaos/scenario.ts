import type { World } from './world';

export type Size = 'quick' | 'full';

/** What a scenario did and found; any violation fails `npm run chaos`. */
export interface ScenarioResult {
  injected: string;
  counted: string;
  violations: string[];
}

export interface Scenario {
  name: string;
  /** Part of the quick subset that CI runs. */
  quick: boolean;
  run(size: Size, worlds: World[]): Promise<ScenarioResult>;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A violation message when `ok` is false. */
export function check(ok: boolean, message: string): string[] {
  return ok ? [] : [message];
}
