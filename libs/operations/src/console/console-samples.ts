import type { ImportSummary, RequestSummary, UserTimeline } from '../operator-views';
import type { ConsoleViews } from './console-views';

// Sample views: every page is drawn from these at start-up (a broken template fails then, not
// at an operator's first click), and the spec draws them too.

const at = (iso: string) => new Date(iso);

const SENDING: RequestSummary = {
  requestId: 'req-2026-0142',
  tenantId: 'acme',
  phase: 'sending',
  partsSeen: 2,
  partCount: 2,
  requested: 1500,
  tally: {
    requested: 1500,
    due: 120,
    sent: 1180,
    failed: 3,
    skipped: {
      no_email: 150,
      invalid_email: 7,
      already_verified: 20,
      already_linked: 18,
      recently_sent: 2,
    },
  },
  settled: 1380,
};

const COMPLETED: RequestSummary = {
  ...SENDING,
  requestId: 'req-2026-0141',
  phase: 'completed',
  tally: { ...SENDING.tally, due: 0, sent: 1300 },
  settled: 1500,
  completedAt: at('2026-01-08T13:30:05Z'),
};

const RUNNING_IMPORT: ImportSummary = {
  importId: 'imp-2026-0007',
  tenantId: 'acme',
  phase: 'running',
  rows: 11,
  applied: 5,
  counts: { updated: 3, unchanged: 1, rejected: 1 },
  startedAt: at('2026-01-08T13:40:00Z'),
};

const FAILED_IMPORT: ImportSummary = {
  importId: 'imp-2026-0006',
  tenantId: 'acme',
  phase: 'failed',
  rows: 0,
  applied: 0,
  counts: { updated: 0, unchanged: 0, rejected: 0 },
  startedAt: at('2026-01-08T12:00:00Z'),
  completedAt: at('2026-01-08T12:00:02Z'),
  result: {
    importId: 'imp-2026-0006',
    tenantId: 'acme',
    status: 'failed',
    rows: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    reasons: {},
    error: { code: 'missing_column', message: 'the column "E-post Visma Connect" is missing' },
    completedAt: '2026-01-08T12:00:02Z',
  },
};

const TIMELINE: UserTimeline = {
  user: {
    tenantId: 'acme',
    userId: 'anna',
    status: 'linked',
    maskedEmail: 'a***@e***.se',
    lastSentAt: at('2026-01-08T13:30:01Z'),
    addressSetAt: at('2026-01-08T13:30:00Z'),
    verifiedAt: at('2026-01-08T13:35:00Z'),
    linkedAt: at('2026-01-08T13:35:01Z'),
  },
  entries: [
    { at: at('2026-01-08T13:30:00Z'), kind: 'address_set' },
    {
      at: at('2026-01-08T13:30:01Z'),
      kind: 'mail',
      requestId: 'req-2026-0141',
      maskedEmail: 'a***@e***.se',
      outcome: 'sent',
      expiresAt: at('2026-01-15T13:30:01Z'),
    },
    { at: at('2026-01-08T13:35:00Z'), kind: 'link_used', maskedEmail: 'a***@e***.se' },
    { at: at('2026-01-08T13:35:01Z'), kind: 'email_verified', method: 'link', outcome: 'linked' },
    { at: at('2026-01-08T13:35:01Z'), kind: 'linked' },
  ],
};

export const CONSOLE_SAMPLES: { [K in keyof ConsoleViews]: ConsoleViews[K] } = {
  overview: {
    requests: [SENDING, COMPLETED],
    imports: [RUNNING_IMPORT, FAILED_IMPORT],
    deadLetters: {
      readable: true,
      topics: [
        {
          topic: 'hrm.verification-requested.v1.dlq',
          sourceTopic: 'hrm.verification-requested.v1',
          messages: 2,
        },
      ],
    },
    live: true,
  },
  request: { request: SENDING },
  import: { import: FAILED_IMPORT },
  user: { tenantId: 'acme', userId: 'anna', timeline: TIMELINE },
  user_lookup: { tenantId: 'acme', userId: 'nobody', notFound: true },
  dead_letters: {
    topic: {
      topic: 'hrm.verification-requested.v1.dlq',
      sourceTopic: 'hrm.verification-requested.v1',
      messages: 1,
    },
    letters: [
      {
        partition: 0,
        offset: '12',
        errorCode: 'invalid_json',
        errorMessage: 'value is not JSON: Unexpected token',
        deadLetteredAt: '2026-01-08T13:31:00.000Z',
        original: 'hrm.verification-requested.v1/0@12',
      },
    ],
    rowLimit: 500,
  },
  login: { refused: false, next: '/' },
  not_found: {},
  too_many_requests: {},
  too_large: {},
  unavailable: {},
  error: {},
};
