import type { Scenario } from '../support/scenario';
import { consumeScenario } from './consume';
import { endToEndScenario } from './e2e';
import { fairnessRate50Scenario, fairnessScenario } from './fairness';
import { fanOutScenario } from './fan-out';
import { importCsvScenario, importXlsxScenario } from './import';
import { linkScenario } from './link';
import { mailScenario } from './mail';
import { stateScenario } from './state';

/** In the order; the end-to-end baseline is derived from fan-out, state and mail. */
export const SCENARIOS: readonly Scenario[] = [
  consumeScenario,
  fanOutScenario,
  stateScenario,
  mailScenario,
  endToEndScenario,
  importCsvScenario,
  importXlsxScenario,
  linkScenario,
  fairnessScenario,
  fairnessRate50Scenario,
];
