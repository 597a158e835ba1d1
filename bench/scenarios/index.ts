import type { Scenario } from '../support/scenario';
import { consumeScenario } from './consume';
import { endToEndScenario } from './e2e';
import { mailScenario } from './mail';

/** In the order; the end-to-end baseline is derived from fan-out, state and mail. */
export const SCENARIOS: readonly Scenario[] = [consumeScenario, mailScenario, endToEndScenario];
