import { ContractViolationError, type ContractViolation } from './contract-violation';
import { createEvent } from './create-event';
import { parseEvent } from './parse-event';
import {
  MAX_ID_LENGTH,
  MAX_NAME_LENGTH,
  MAX_TEXT_LENGTH,
  NO_CONTROL_CHARACTERS_RULE,
  TENANT_ID_RULE,
} from './primitives';
import { SAMPLE_DATA, wire, wireEvent } from './testing/samples';

const REQUEST = SAMPLE_DATA.VerificationRequested;

function violationOf(value: Record<string, unknown>): ContractViolation {
  const result = parseEvent(wire(value));
  if (result.ok) throw new Error('expected a contract violation, the event was accepted');
  return result.error;
}

describe('ids: no control characters (C0, DEL, C1, line separators, bidi controls)', () => {
  it.each([
    ['NUL', 'a\u0000b'],
    ['a C0 control (ESC)', 'a\u001bb'],
    ['DEL', 'a\u007fb'],
    ['a C1 control (NEL)', 'a\u0085b'],
    ['the line separator', 'a\u2028b'],
    ['the paragraph separator', 'a\u2029b'],
    ['a bidi override (RLO)', 'a\u202eb'],
    ['a bidi isolate (FSI)', 'a\u2068b'],
  ])('%s in the event id is refused with a clear violation', (_name, id) => {
    const error = violationOf(wireEvent('EmailVerified', SAMPLE_DATA.EmailVerified, { id }));
    expect(error.code).toBe('not_cloudevent');
    expect(error.issues).toEqual([{ path: 'id', message: NO_CONTROL_CHARACTERS_RULE }]);
  });

  it('refuses NUL in every payload id, so ids joined with NUL cannot collide', () => {
    // Before: tenant "t", request "r\0x" and user "u" gave the same send id as "t", "r", "x\0u".
    const mail = {
      ...SAMPLE_DATA.VerificationMailRequested,
      requestId: 'r\u0000x',
      sendId: 's\u0000',
    };
    const error = violationOf(wireEvent('VerificationMailRequested', mail));
    expect(error.code).toBe('invalid_data');
    expect(error.issues).toEqual([
      { path: 'data.requestId', message: NO_CONTROL_CHARACTERS_RULE },
      { path: 'data.sendId', message: NO_CONTROL_CHARACTERS_RULE },
    ]);
    const user = { ...REQUEST, users: [{ userId: 'u\u0000', companyId: 'c\u0085' }] };
    expect(violationOf(wireEvent('VerificationRequested', user)).issues).toEqual([
      { path: 'data.users[0].userId', message: NO_CONTROL_CHARACTERS_RULE },
      { path: 'data.users[0].companyId', message: NO_CONTROL_CHARACTERS_RULE },
    ]);
  });

  it('refuses control characters in the source, which applied events are remembered by', () => {
    const error = violationOf(
      wireEvent('EmailVerified', SAMPLE_DATA.EmailVerified, { source: 'urn:a\u0000' }),
    );
    expect(error.issues).toEqual([{ path: 'source', message: NO_CONTROL_CHARACTERS_RULE }]);
  });

  it('keeps accepting ordinary ids: letters of any script, digits, ":", "/", "@", spaces', () => {
    const data = { ...SAMPLE_DATA.EmailVerified, userId: 'Åsa Öberg/urn:x@1' };
    expect(parseEvent(wire(wireEvent('EmailVerified', data))).ok).toBe(true);
  });
});

describe('strings: every one bounded', () => {
  it('refuses a 5 MB display name quickly, with the limit in the message', () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const request = {
      ...REQUEST,
      requestedBy: { userId: 'admin-1', displayName: huge },
      users: [{ userId: 'u-1', displayName: huge }],
    };
    const started = performance.now();
    const error = violationOf(wireEvent('VerificationRequested', request));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.issues).toEqual([
      {
        path: 'data.requestedBy.displayName',
        message: `must be at most ${MAX_NAME_LENGTH} characters`,
      },
      {
        path: 'data.users[0].displayName',
        message: `must be at most ${MAX_NAME_LENGTH} characters`,
      },
    ]);
  });

  it('refuses an address of 1,000 characters (254 at most; 508 as typed in a request)', () => {
    const long = `${'a'.repeat(990)}@example.se`;
    const request = { ...REQUEST, users: [{ userId: 'u-1', email: long }] };
    expect(violationOf(wireEvent('VerificationRequested', request)).issues).toEqual([
      { path: 'data.users[0].email', message: 'must be at most 508 characters' },
    ]);
    const status = { ...SAMPLE_DATA.VerificationStatusChanged, email: long };
    expect(violationOf(wireEvent('VerificationStatusChanged', status)).issues).toEqual([
      { path: 'data.email', message: 'must be at most 254 characters' },
    ]);
  });

  it("lets a request carry a 300-character address: that user's invalid_email, not the message's", () => {
    const long = `${'a'.repeat(290)}@example.se`;
    const request = { ...REQUEST, users: [{ userId: 'u-1', email: long }] };
    expect(parseEvent(wire(wireEvent('VerificationRequested', request))).ok).toBe(true);
  });

  it('bounds ids, messages, searches, URIs and the envelope', () => {
    const completed = {
      ...SAMPLE_DATA.UserImportCompleted,
      status: 'failed',
      error: { code: 'c'.repeat(MAX_ID_LENGTH + 1), message: 'm'.repeat(MAX_TEXT_LENGTH + 1) },
      reportUri: `file:///${'r'.repeat(2048)}`,
    };
    expect(
      violationOf(wireEvent('UserImportCompleted', completed)).issues.map((i) => i.path),
    ).toEqual(['data.reportUri', 'data.error.code', 'data.error.message']);
    const request = {
      ...REQUEST,
      requestId: 'r'.repeat(MAX_ID_LENGTH + 1),
      filter: { search: 's'.repeat(MAX_TEXT_LENGTH + 1), companyIds: Array(1001).fill('c') },
    };
    expect(
      violationOf(wireEvent('VerificationRequested', request)).issues.map((i) => i.path),
    ).toEqual(['data.requestId', 'data.filter.companyIds', 'data.filter.search']);
    const envelope = wireEvent('EmailVerified', SAMPLE_DATA.EmailVerified, {
      source: 's'.repeat(2049),
      subject: 's'.repeat(MAX_NAME_LENGTH + 1),
    });
    expect(violationOf(envelope).issues.map((i) => i.path)).toEqual(['source', 'subject']);
  });
});

describe('tenant ids: no ":" (the spec keys per-user events tenantId:userId)', () => {
  it('refuses a tenant id with ":" when parsing and when producing', () => {
    const data = { ...SAMPLE_DATA.EmailVerified, tenantId: 'a:b' };
    expect(violationOf(wireEvent('EmailVerified', data)).issues).toEqual([
      { path: 'data.tenantId', message: TENANT_ID_RULE },
    ]);
    expect(() => createEvent('EmailVerified', data, { source: 'urn:test' })).toThrow(
      ContractViolationError,
    );
  });
});
