import { validate, version } from 'uuid';
import { ContractViolationError } from './contract-violation';
import { createEvent, serializeEvent } from './create-event';
import { ALL_EVENT_TYPES } from './event-types';
import { parseEvent } from './parse-event';
import { SAMPLE_DATA } from './testing/samples';

function violationOf(fn: () => unknown): ContractViolationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ContractViolationError) return error;
    throw error;
  }
  throw new Error('expected a ContractViolationError');
}

describe('createEvent', () => {
  it('builds a CloudEvents 1.0 envelope with a random UUID v4 id and the current UTC time', () => {
    const before = Date.now();
    const event = createEvent('EmailVerified', SAMPLE_DATA.EmailVerified, { source: 'urn:test' });
    expect(event).toMatchObject({
      specversion: '1.0',
      source: 'urn:test',
      type: 'EmailVerified',
      datacontenttype: 'application/json',
      data: SAMPLE_DATA.EmailVerified,
    });
    expect(validate(event.id) && version(event.id)).toBe(4);
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(event.time)).toBeGreaterThanOrEqual(before);
    expect(event).not.toHaveProperty('subject');
  });

  it('uses the given id, time and subject', () => {
    const event = createEvent('EmailVerified', SAMPLE_DATA.EmailVerified, {
      source: 'urn:test',
      id: 'fixed-id',
      time: new Date('2024-05-01T12:00:00Z'),
      subject: 'u-1',
    });
    expect(event).toMatchObject({
      id: 'fixed-id',
      time: '2024-05-01T12:00:00.000Z',
      subject: 'u-1',
    });
  });

  it('applies schema defaults (part 1 of 1, resend false, verifyAfterImport false)', () => {
    const request = createEvent('VerificationRequested', SAMPLE_DATA.VerificationRequested, {
      source: 's',
    });
    expect(request.data.part).toEqual({ index: 1, count: 1 });
    expect(request.data.resend).toBe(false);
    const upload = createEvent('UserImportUploaded', SAMPLE_DATA.UserImportUploaded, {
      source: 's',
    });
    expect(upload.data.verifyAfterImport).toBe(false);
  });

  it('throws ContractViolationError (invalid_data, with the path) on invalid data', () => {
    const error = violationOf(() =>
      createEvent('EmailVerified', { ...SAMPLE_DATA.EmailVerified, userId: '' }, { source: 's' }),
    );
    expect(error.violation.code).toBe('invalid_data');
    expect(error.violation.issues).toEqual([{ path: 'data.userId', message: 'must not be empty' }]);
    expect(error.message).toBe(
      'EmailVerified data breaks its schema: data.userId: must not be empty',
    );
    expect(error.name).toBe('ContractViolationError');
  });

  it('throws ContractViolationError (not_cloudevent) on an invalid envelope', () => {
    expect(
      violationOf(() => createEvent('EmailVerified', SAMPLE_DATA.EmailVerified, { source: '' }))
        .violation,
    ).toMatchObject({
      code: 'not_cloudevent',
      issues: [{ path: 'source', message: 'must not be empty' }],
    });
    expect(
      violationOf(() =>
        createEvent('EmailVerified', SAMPLE_DATA.EmailVerified, {
          source: 's',
          id: 'x'.repeat(129),
        }),
      ).violation.issues,
    ).toEqual([{ path: 'id', message: 'must be at most 128 characters' }]);
    expect(
      violationOf(() =>
        createEvent('EmailVerified', SAMPLE_DATA.EmailVerified, {
          source: 's',
          time: new Date('nope'),
        }),
      ).violation.issues,
    ).toEqual([{ path: 'time', message: 'must be a valid Date' }]);
  });

  it.each(ALL_EVENT_TYPES)('%s: serializeEvent output parses back to the same event', (type) => {
    const event = createEvent(type, SAMPLE_DATA[type], { source: 'urn:test' });
    const bytes = serializeEvent(event);
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(parseEvent(bytes, type)).toEqual({ ok: true, event });
  });

  it('serializeEvent writes UTF-8 (Swedish characters survive)', () => {
    const event = createEvent(
      'VerificationRequested',
      {
        ...SAMPLE_DATA.VerificationRequested,
        requestedBy: { userId: 'a', displayName: 'Åsa Öberg' },
      },
      { source: 's' },
    );
    expect(serializeEvent(event).toString('utf8')).toContain('Åsa Öberg');
  });
});
