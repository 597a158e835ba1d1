import type { ExpectedDeadLetter } from './dead-letters';
import type { World } from './world';

export type Size = 'quick' | 'full';

/** What a scenario did and found; any violation fails `npm run chaos`. */
export interface ScenarioResult {
  injected: string;
  counted: string;
  violations: string[];
  /**
   * The dead letters this scenario causes on purpose, each with its code. After the scenario
   * (its worlds closed), every dead letter of its worlds' consumed topics must be one of these,
   * and each of these must be there. Empty says: this fault must never set a message aside.
   */
  deadLetters: ExpectedDeadLetter[];
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
