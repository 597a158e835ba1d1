import { emptyTally } from '@app/verification';
import { importSummaryOf, requestSummaryOf } from './summaries';

describe('requestSummaryOf', () => {
  const progress = {
    requestId: 'r1',
    tenantId: 't1',
    partCount: 2,
    partsSeen: 1,
    requested: 3,
    completedAt: null,
  };

  it('is receiving until every part is in, and counts sent, failed and skipped as settled', () => {
    const tally = { ...emptyTally(), requested: 3, due: 1, sent: 1 };
    tally.skipped.no_email = 1;
    expect(requestSummaryOf(progress, tally)).toMatchObject({
      phase: 'receiving',
      requested: 3,
      settled: 2,
    });
  });

  it('is sending with every part in, completed once the completion is recorded', () => {
    const all = { ...progress, partsSeen: 2 };
    const at = new Date('2026-11-26T10:00:00Z');
    expect(requestSummaryOf(all, emptyTally()).phase).toBe('sending');
    expect(requestSummaryOf({ ...all, completedAt: at }, emptyTally())).toMatchObject({
      phase: 'completed',
      completedAt: at,
    });
  });
});

describe('importSummaryOf', () => {
  const batch = (updated: number, rejected: number, minute: number) => ({
    tenantId: 't1',
    rows: 10,
    counts: { updated, unchanged: 0, rejected },
    createdAt: new Date(`2026-11-26T10:0${minute}:00Z`),
  });

  it('knows nothing of an import without records', () => {
    expect(importSummaryOf('i1', { batches: [] })).toBeUndefined();
  });

  it('adds up the batches of a running import against the rows of the file', () => {
    expect(importSummaryOf('i1', { batches: [batch(3, 1, 2), batch(4, 0, 1)] })).toEqual({
      importId: 'i1',
      tenantId: 't1',
      phase: 'running',
      rows: 10,
      applied: 8,
      counts: { updated: 7, unchanged: 0, rejected: 1 },
      startedAt: new Date('2026-11-26T10:01:00Z'),
    });
  });

  it('takes the counts of the completion, and a failed import has no batches', () => {
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
    expect(
      importSummaryOf('i2', { batches: [], completion: { tenantId: 't1', completedAt, result } }),
    ).toMatchObject({ phase: 'failed', rows: 0, applied: 0, completedAt, result });
  });
});
