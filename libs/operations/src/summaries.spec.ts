import { emptyTally, type RequestProgress } from '@app/verification';
import { importSummaryOf, requestSummaryOf } from './summaries';

describe('requestSummaryOf', () => {
  const progress = (over: Partial<RequestProgress> = {}): RequestProgress => ({
    requestId: 'r1',
    tenantId: 't1',
    partCount: 2,
    partsSeen: 1,
    tally: emptyTally(),
    completedAt: null,
    ...over,
  });

  it('is receiving until every part is in, and counts sent, failed and skipped as settled', () => {
    const tally = { ...emptyTally(), requested: 3, due: 1, sent: 1 };
    tally.skipped.no_email = 1;
    expect(requestSummaryOf(progress({ tally }))).toMatchObject({
      phase: 'receiving',
      requested: 3,
      settled: 2,
    });
  });

  it('is sending with every part in, completed once the completion is recorded', () => {
    const at = new Date('2026-11-26T10:00:00Z');
    expect(requestSummaryOf(progress({ partsSeen: 2 })).phase).toBe('sending');
    expect(requestSummaryOf(progress({ partsSeen: 2, completedAt: at }))).toMatchObject({
      phase: 'completed',
      completedAt: at,
    });
  });
});

describe('importSummaryOf', () => {
  const startedAt = new Date('2026-11-26T10:01:00Z');
  const record = {
    tenantId: 't1',
    importId: 'i1',
    rows: 10,
    counts: { updated: 7, unchanged: 0, rejected: 1 },
    startedAt,
    completedAt: null,
  };

  it("shows a running import's counted batches against the rows of the file", () => {
    expect(importSummaryOf(record)).toEqual({
      importId: 'i1',
      tenantId: 't1',
      phase: 'running',
      rows: 10,
      applied: 8,
      counts: { updated: 7, unchanged: 0, rejected: 1 },
      startedAt,
    });
  });

  it('takes the counts of the completion; a failed import read no rows', () => {
    const completedAt = new Date('2026-11-26T10:05:00Z');
    const result = {
      importId: 'i2',
      tenantId: 't1',
      status: 'failed' as const,
      rows: 0,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      reasons: {},
      error: { code: 'missing_column', message: 'no e-mail column' },
      completedAt: completedAt.toISOString(),
    };
    const failed = {
      tenantId: 't1',
      importId: 'i2',
      counts: { updated: 0, unchanged: 0, rejected: 0 },
      startedAt: completedAt,
      completedAt,
      result,
    };
    expect(importSummaryOf(failed)).toMatchObject({
      phase: 'failed',
      rows: 0,
      applied: 0,
      completedAt,
      result,
    });
  });
});
