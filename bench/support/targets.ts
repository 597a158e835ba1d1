/** A limit on one figure of the product's samples (the worst run counts). */
export interface FigureLimit {
  figure: string;
  below: number;
  label: string;
}

export interface Target {
  /** Product rate over baseline rate must be at least this (median of the paired runs). */
  ratio?: number;
  limits?: FigureLimit[];
}

/** The targets of issues 8 and 21, on a 2-core machine with the broker and the database beside us. */
export const TARGETS: Readonly<Record<string, Target>> = {
  consume: { ratio: 0.85 },
  'fan-out': { ratio: 0.7 },
  state: { ratio: 0.8 },
  mail: { ratio: 0.9 },
  e2e: {
    ratio: 0.6,
    limits: [
      { figure: 'peakRssMb', below: 512, label: 'worker RSS' },
      { figure: 'eventLoopP99Ms', below: 100, label: 'event-loop delay p99' },
    ],
  },
  'import-csv': {
    ratio: 0.6,
    limits: [{ figure: 'rssGrowthMb', below: 200, label: 'RSS growth' }],
  },
  'import-xlsx': {
    ratio: 0.6,
    limits: [{ figure: 'rssGrowthMb', below: 200, label: 'RSS growth' }],
  },
  link: { limits: [{ figure: 'p99Ms', below: 250, label: 'p99 at 50/s' }] },
  // The bulk keeps 90% of its rate; every single send is accepted within 5 s of its request.
  fairness: {
    ratio: 0.9,
    limits: [{ figure: 'maxSingleWaitMs', below: 5_000, label: 'worst single-send wait' }],
  },
  'fairness-rate-50': {
    ratio: 0.9,
    limits: [{ figure: 'maxSingleWaitMs', below: 5_000, label: 'worst single-send wait' }],
  },
};

/** The end-to-end baseline is the slowest of these raw stages, measured in the same run. */
export const E2E_STAGES = ['fan-out', 'state', 'mail'] as const;
