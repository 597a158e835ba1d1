import type { ContractViolation } from './contract-violation';
import { ALL_EVENT_TYPES } from './event-types';
import { parseEvent, parseEventOf, type ParseResult } from './parse-event';
import { SAMPLE_DATA, wire, wireEvent } from './testing/samples';

const REQUEST = SAMPLE_DATA.VerificationRequested;

function errorOf(
  result: ParseResult | { ok: boolean; error?: ContractViolation },
): ContractViolation {
  if (result.ok || !('error' in result) || result.error === undefined) {
    throw new Error(`expected a violation, got ${JSON.stringify(result)}`);
  }
  return result.error;
}

/** Parses `data` of `type` and returns the violation. */
function dataViolation(type: string, data: unknown): ContractViolation {
  return errorOf(parseEvent(wire(wireEvent(type, data))));
}

function users(n: number): { userId: string }[] {
  return Array.from({ length: n }, (_, i) => ({ userId: `u-${i}` }));
}

describe('parseEvent: valid events', () => {
  it.each(ALL_EVENT_TYPES)('a valid %s passes', (type) => {
    const result = parseEvent(wire(wireEvent(type, SAMPLE_DATA[type])));
    expect(result).toMatchObject({ ok: true, event: { type, id: 'evt-1', specversion: '1.0' } });
  });

  it('accepts a Buffer, with or without a UTF-8 BOM', () => {
    const json = wire(wireEvent('EmailVerified', SAMPLE_DATA.EmailVerified));
    expect(parseEvent(Buffer.from(json)).ok).toBe(true);
    expect(parseEvent(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)])).ok).toBe(
      true,
    );
    expect(parseEvent(`\uFEFF${json}`).ok).toBe(true);
  });

  it('applies defaults: part 1 of 1 and resend false (VerificationRequested)', () => {
    const result = parseEventOf(
      wire(wireEvent('VerificationRequested', REQUEST)),
      'VerificationRequested',
    );
    if (!result.ok) throw new Error(result.error.message);
    expect(result.event.data.part).toEqual({ index: 1, count: 1 });
    expect(result.event.data.resend).toBe(false);
  });

  it('applies defaults: verifyAfterImport false (UserImportUploaded)', () => {
    const result = parseEventOf(
      wire(wireEvent('UserImportUploaded', SAMPLE_DATA.UserImportUploaded)),
      'UserImportUploaded',
    );
    if (!result.ok) throw new Error(result.error.message);
    expect(result.event.data.verifyAfterImport).toBe(false);
  });

  it('ignores unknown CloudEvents extension attributes and unknown data fields', () => {
    const result = parseEvent(
      wire(
        wireEvent(
          'EmailVerified',
          { ...SAMPLE_DATA.EmailVerified, future: 1 },
          { traceparent: '00-abc' },
        ),
      ),
    );
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.event).not.toHaveProperty('traceparent');
      expect(result.event.data).not.toHaveProperty('future');
    }
  });

  it.each([
    undefined,
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON;charset=UTF-8',
  ])('datacontenttype %p is accepted', (datacontenttype) => {
    expect(
      parseEvent(wire(wireEvent('EmailVerified', SAMPLE_DATA.EmailVerified, { datacontenttype })))
        .ok,
    ).toBe(true);
  });

  it('envelope time may carry an offset (CloudEvents allows RFC 3339 offsets)', () => {
    const result = parseEvent(
      wire(
        wireEvent('EmailVerified', SAMPLE_DATA.EmailVerified, {
          time: '2024-05-01T14:00:00+02:00',
        }),
      ),
    );
    expect(result.ok).toBe(true);
  });

  it('payload times accept fractional seconds', () => {
    const data = { ...SAMPLE_DATA.EmailVerified, verifiedAt: '2024-05-01T12:00:00.123456Z' };
    expect(parseEvent(wire(wireEvent('EmailVerified', data))).ok).toBe(true);
  });

  it('an expected type given as a list accepts any of its members', () => {
    const json = wire(wireEvent('EmailVerified', SAMPLE_DATA.EmailVerified));
    expect(parseEvent(json, ['VerificationRequested', 'EmailVerified']).ok).toBe(true);
    expect(parseEvent(json, 'EmailVerified').ok).toBe(true);
  });

  it('a per-user email is not checked as an address (invalid_email is a business outcome)', () => {
    const data = { ...REQUEST, users: [{ userId: 'u', email: 'not an address' }] };
    expect(parseEvent(wire(wireEvent('VerificationRequested', data))).ok).toBe(true);
  });

  it('users may hold exactly 1000 entries', () => {
    expect(
      parseEvent(wire(wireEvent('VerificationRequested', { ...REQUEST, users: users(1000) }))).ok,
    ).toBe(true);
  });

  it('ids may be exactly 128 characters', () => {
    const id = 'x'.repeat(128);
    expect(
      parseEvent(wire(wireEvent('VerificationRequested', { ...REQUEST, requestId: id }, { id })))
        .ok,
    ).toBe(true);
  });
});

describe('parseEvent: not a message at all', () => {
  it.each([null, undefined, '', '  \n', Buffer.alloc(0)])('%p is "empty"', (value) => {
    expect(errorOf(parseEvent(value)).code).toBe('empty');
  });

  it('text that is not JSON is "not_json"', () => {
    expect(errorOf(parseEvent('{"specversion": "1.0",'))).toEqual({
      code: 'not_json',
      message: 'value is not valid JSON',
      issues: [],
    });
  });

  it('bytes that are not UTF-8 are "not_json"', () => {
    expect(errorOf(parseEvent(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).code).toBe('not_json');
  });
});

describe('parseEvent: not a CloudEvent', () => {
  it.each(['[]', '42', 'null', '"text"', 'true'])(
    'JSON %s (not an object) is "not_cloudevent"',
    (json) => {
      const error = errorOf(parseEvent(json));
      expect(error.code).toBe('not_cloudevent');
      expect(error.issues[0]?.path).toBe('(root)');
    },
  );

  it('missing specversion is "not_cloudevent" at path specversion', () => {
    const event = wireEvent('EmailVerified', SAMPLE_DATA.EmailVerified, { specversion: undefined });
    const error = errorOf(parseEvent(wire(event)));
    expect(error.code).toBe('not_cloudevent');
    expect(error.issues).toEqual([{ path: 'specversion', message: 'is required' }]);
    expect(error.message).toBe('value is not a CloudEvents 1.0 event: specversion: is required');
  });

  it('specversion other than "1.0" is "not_cloudevent"', () => {
    const error = errorOf(
      parseEvent(
        wire(wireEvent('EmailVerified', SAMPLE_DATA.EmailVerified, { specversion: '0.3' })),
      ),
    );
    expect(error.issues).toEqual([{ path: 'specversion', message: 'must be "1.0"' }]);
  });

  it('an event id of 129 characters is "not_cloudevent" at path id', () => {
    const error = errorOf(
      parseEvent(
        wire(wireEvent('EmailVerified', SAMPLE_DATA.EmailVerified, { id: 'x'.repeat(129) })),
      ),
    );
    expect(error.code).toBe('not_cloudevent');
    expect(error.issues).toEqual([{ path: 'id', message: 'must be at most 128 characters' }]);
  });

  it('empty source, missing time and a non-JSON datacontenttype are each reported', () => {
    const error = errorOf(
      parseEvent(
        wire(
          wireEvent('EmailVerified', SAMPLE_DATA.EmailVerified, {
            source: '',
            time: undefined,
            datacontenttype: 'text/plain',
          }),
        ),
      ),
    );
    expect(error.code).toBe('not_cloudevent');
    expect(error.issues).toEqual([
      { path: 'source', message: 'must not be empty' },
      { path: 'time', message: 'is required' },
      { path: 'datacontenttype', message: 'must be application/json when present' },
    ]);
  });

  it('an envelope time that is not RFC 3339 is "not_cloudevent"', () => {
    const error = errorOf(
      parseEvent(
        wire(wireEvent('EmailVerified', SAMPLE_DATA.EmailVerified, { time: '1 May 2024' })),
      ),
    );
    expect(error.issues[0]?.path).toBe('time');
  });
});

describe('parseEvent: types', () => {
  it('a type outside the contract is "unknown_type"', () => {
    const error = errorOf(parseEvent(wire(wireEvent('UserDeleted', {}))));
    expect(error).toEqual({
      code: 'unknown_type',
      message: 'type is not an event of this contract: type: is not a known event type',
      issues: [{ path: 'type', message: 'is not a known event type' }],
    });
  });

  it('a known type other than the expected one is "unexpected_type"', () => {
    const json = wire(wireEvent('EmailVerified', SAMPLE_DATA.EmailVerified));
    expect(errorOf(parseEvent(json, 'VerificationRequested'))).toEqual({
      code: 'unexpected_type',
      message:
        'event type is not expected on this topic: type: must be VerificationRequested (got EmailVerified)',
      issues: [{ path: 'type', message: 'must be VerificationRequested (got EmailVerified)' }],
    });
    expect(errorOf(parseEvent(json, ['VerificationRequested', 'UserImportUploaded'])).code).toBe(
      'unexpected_type',
    );
  });

  it('parseEventOf returns unexpected_type for another type', () => {
    const result = parseEventOf(
      wire(wireEvent('EmailVerified', SAMPLE_DATA.EmailVerified)),
      'VismaConnectLinked',
    );
    expect(errorOf(result).code).toBe('unexpected_type');
  });
});

describe('parseEvent: VerificationRequested data', () => {
  it.each([
    [
      'users must hold at least 1 entry',
      { users: [] },
      'data.users',
      'must have at least 1 item(s)',
    ],
    [
      'users must hold at most 1000 entries',
      { users: users(1001) },
      'data.users',
      'must have at most 1000 item(s)',
    ],
    [
      'part.index must not exceed part.count',
      { part: { index: 3, count: 2 } },
      'data.part.index',
      'must not be greater than part.count',
    ],
    ['part.index starts at 1', { part: { index: 0, count: 1 } }, 'data.part.index', 'must be >= 1'],
    [
      'part.count must be an integer',
      { part: { index: 1, count: 1.5 } },
      'data.part.count',
      'must be an integer (got number)',
    ],
    [
      'requestId is at most 128 characters',
      { requestId: 'r'.repeat(129) },
      'data.requestId',
      'must be at most 128 characters',
    ],
    ['tenantId is required', { tenantId: undefined }, 'data.tenantId', 'is required'],
    [
      'requestedBy.userId must not be empty',
      { requestedBy: { userId: '' } },
      'data.requestedBy.userId',
      'must not be empty',
    ],
    [
      'a user email, when given, must not be empty',
      { users: [{ userId: 'u', email: '' }] },
      'data.users[0].email',
      'must not be empty',
    ],
    [
      'a user locale is sv or en',
      { users: [{ userId: 'u', locale: 'de' }] },
      'data.users[0].locale',
      'must be one of sv, en',
    ],
    ['the request locale is sv or en', { locale: 'fi' }, 'data.locale', 'must be one of sv, en'],
    ['resend is a boolean', { resend: 'yes' }, 'data.resend', 'must be a boolean (got string)'],
    [
      'filter.companyIds holds non-empty strings',
      { filter: { companyIds: [''] } },
      'data.filter.companyIds[0]',
      'must not be empty',
    ],
  ])('%s', (_rule, patch, path, message) => {
    const error = dataViolation('VerificationRequested', { ...REQUEST, ...patch });
    expect(error.code).toBe('invalid_data');
    expect(error.issues).toEqual([{ path, message }]);
  });

  it('the message names the exact element: data.users[3].userId: must not be empty', () => {
    const list = users(5);
    list[3] = { userId: '' };
    const error = dataViolation('VerificationRequested', { ...REQUEST, users: list });
    expect(error.message).toBe(
      'VerificationRequested data breaks its schema: data.users[3].userId: must not be empty',
    );
  });

  it('a missing or non-object data is "invalid_data" at path data', () => {
    expect(dataViolation('VerificationRequested', undefined).issues).toEqual([
      { path: 'data', message: 'is required' },
    ]);
    expect(dataViolation('VerificationRequested', [1]).issues).toEqual([
      { path: 'data', message: 'must be an object (got array)' },
    ]);
  });
});

describe('parseEvent: the other payloads', () => {
  it.each([
    [
      'VerificationStatusChanged',
      'a payload time with a +02:00 offset is rejected (UTC only)',
      { occurredAt: '2024-05-01T14:00:00+02:00' },
      'data.occurredAt',
      'must be an RFC 3339 UTC timestamp such as 2024-05-01T12:00:00Z',
    ],
    [
      'VerificationStatusChanged',
      'status is one of the five statuses',
      { status: 'pending' },
      'data.status',
      'must be one of no_email, unverified, verification_sent, verified, linked',
    ],
    [
      'VerificationStatusChanged',
      'email is a string or null, never absent',
      { email: undefined },
      'data.email',
      'is required',
    ],
    [
      'VerificationBatchCompleted',
      'skipped carries every skip reason',
      { skipped: { no_email: 0, invalid_email: 0, already_verified: 0, already_linked: 0 } },
      'data.skipped.recently_sent',
      'is required',
    ],
    [
      'VerificationBatchCompleted',
      'skipped carries only the five skip reasons',
      {
        skipped: {
          no_email: 0,
          invalid_email: 0,
          already_verified: 0,
          already_linked: 0,
          recently_sent: 0,
          other: 1,
        },
      },
      'data.skipped',
      'has 1 key(s) that are not allowed here',
    ],
    [
      'VerificationBatchCompleted',
      'counts are non-negative',
      { sent: -1 },
      'data.sent',
      'must be >= 0',
    ],
    [
      'VerificationBatchCompleted',
      'counts are integers',
      { failed: 0.5 },
      'data.failed',
      'must be an integer (got number)',
    ],
    [
      'EmailVerified',
      'method is link or visma-connect',
      { method: 'sms' },
      'data.method',
      'must be one of link, visma-connect',
    ],
    ['EmailVerified', 'email must not be empty', { email: '' }, 'data.email', 'must not be empty'],
    [
      'VismaConnectLinked',
      'linkedAt is an RFC 3339 UTC time',
      { linkedAt: '2024-05-01' },
      'data.linkedAt',
      'must be an RFC 3339 UTC timestamp such as 2024-05-01T12:00:00Z',
    ],
    [
      'UserImportUploaded',
      'template is employees-users',
      { template: 'payroll' },
      'data.template',
      'must be "employees-users"',
    ],
    [
      'UserImportUploaded',
      'file.uri is file:// or https://',
      { file: { uri: 'http://x/f.csv', name: 'f.csv', sizeBytes: 1 } },
      'data.file.uri',
      'must start with file:// or https://',
    ],
    [
      'UserImportUploaded',
      'file.sizeBytes is non-negative',
      { file: { uri: 'https://x/f.csv', name: 'f.csv', sizeBytes: -1 } },
      'data.file.sizeBytes',
      'must be >= 0',
    ],
    [
      'UserImportUploaded',
      'file.sha256 is 64 hex characters',
      { file: { uri: 'https://x/f.csv', name: 'f.csv', sizeBytes: 1, sha256: 'abc' } },
      'data.file.sha256',
      'must be 64 hexadecimal characters',
    ],
    [
      'UserImportUploaded',
      'verifyAfterImport is a boolean',
      { verifyAfterImport: 'true' },
      'data.verifyAfterImport',
      'must be a boolean (got string)',
    ],
    [
      'UserImportCompleted',
      'status is completed or failed',
      { status: 'partial' },
      'data.status',
      'must be one of completed, failed',
    ],
    [
      'UserImportCompleted',
      'reasons counts are non-negative integers',
      { reasons: { invalid_email: -2 } },
      'data.reasons.invalid_email',
      'must be >= 0',
    ],
    [
      'UserImportCompleted',
      'reasons only uses the import rejection reasons',
      { reasons: { recently_sent: 1 } },
      'data.reasons',
      'has 1 key(s) that are not allowed here',
    ],
    [
      'UserImportCompleted',
      'error carries a non-empty code',
      { status: 'failed', error: { code: '', message: 'm' } },
      'data.error.code',
      'must not be empty',
    ],
  ] as const)('%s: %s', (type, _rule, patch, path, message) => {
    const error = dataViolation(type, { ...SAMPLE_DATA[type], ...patch });
    expect(error.code).toBe('invalid_data');
    expect(error.issues).toEqual([{ path, message }]);
  });

  it('UserImportUploaded accepts https:// uris, upper-case sha256 and verifyAfterImport true', () => {
    const data = {
      ...SAMPLE_DATA.UserImportUploaded,
      file: {
        uri: 'https://files.example/a.csv',
        name: 'a.csv',
        sizeBytes: 0,
        sha256: 'AB'.repeat(32),
        contentType: 'text/csv',
      },
      verifyAfterImport: true,
    };
    expect(parseEvent(wire(wireEvent('UserImportUploaded', data)))).toMatchObject({
      ok: true,
      event: { data: { verifyAfterImport: true } },
    });
  });

  it('UserImportCompleted accepts a failed import with error, empty reasons and a verificationRequestId', () => {
    const data = {
      ...SAMPLE_DATA.UserImportCompleted,
      status: 'failed',
      reasons: {},
      error: { code: 'missing_column', message: 'Column "E-post Visma Connect" is missing' },
      verificationRequestId: 'req-9',
      reportUri: 'file:///reports/imp-1.csv',
    };
    expect(parseEvent(wire(wireEvent('UserImportCompleted', data))).ok).toBe(true);
  });

  it('VerificationStatusChanged accepts email null (no saved address)', () => {
    const data = {
      ...SAMPLE_DATA.VerificationStatusChanged,
      status: 'no_email',
      email: null,
      reason: 'no_email',
    };
    expect(parseEvent(wire(wireEvent('VerificationStatusChanged', data))).ok).toBe(true);
  });
});

describe('parseEvent: violations never echo values', () => {
  const secret = 'anna.secret@example.com';

  it.each([
    [
      'a too-long id containing an address',
      wireEvent('EmailVerified', SAMPLE_DATA.EmailVerified, { id: secret.repeat(10) }),
    ],
    ['an unknown type that is an address', wireEvent(secret, {})],
    [
      'a datacontenttype that is an address',
      wireEvent('EmailVerified', SAMPLE_DATA.EmailVerified, { datacontenttype: secret }),
    ],
    [
      'an address where a locale belongs',
      wireEvent('VerificationRequested', { ...REQUEST, locale: secret }),
    ],
    [
      'an address where users belong',
      wireEvent('VerificationRequested', { ...REQUEST, users: secret }),
    ],
    [
      'an address as a reasons key',
      wireEvent('UserImportCompleted', {
        ...SAMPLE_DATA.UserImportCompleted,
        reasons: { [secret]: 1 },
      }),
    ],
    [
      'an address as a file uri',
      wireEvent('UserImportUploaded', {
        ...SAMPLE_DATA.UserImportUploaded,
        file: { uri: `mailto:${secret}`, name: 'f', sizeBytes: 1 },
      }),
    ],
    [
      'an address where a time belongs',
      wireEvent('EmailVerified', { ...SAMPLE_DATA.EmailVerified, verifiedAt: secret }),
    ],
  ])('%s', (_case, event) => {
    const error = errorOf(parseEvent(wire(event)));
    expect(JSON.stringify(error)).not.toContain('secret');
  });

  it('not_json does not quote the broken text', () => {
    expect(JSON.stringify(errorOf(parseEvent(`{"email": "${secret}"`)))).not.toContain('secret');
  });
});

describe('parseEvent: never throws', () => {
  // A fixed-seed generator keeps the fuzz cases reproducible.
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
  }

  it('on random bytes', () => {
    const next = random(42);
    for (let i = 0; i < 500; i += 1) {
      const bytes = Buffer.from(
        Array.from({ length: Math.floor(next() * 64) }, () => Math.floor(next() * 256)),
      );
      expect(() => parseEvent(bytes)).not.toThrow();
    }
  });

  it('on randomly mutated valid events', () => {
    const next = random(7);
    const base = wire(wireEvent('VerificationRequested', REQUEST));
    for (let i = 0; i < 500; i += 1) {
      const at = Math.floor(next() * base.length);
      const mutated =
        base.slice(0, at) + String.fromCharCode(Math.floor(next() * 128)) + base.slice(at + 1);
      const result = parseEvent(mutated);
      expect(typeof result.ok).toBe('boolean');
    }
  });

  it.each([
    ['deeply nested arrays', '['.repeat(100_000) + ']'.repeat(100_000)],
    [
      'deeply nested data',
      wire(wireEvent('EmailVerified', 0)).replace(
        '"data":0',
        `"data":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`,
      ),
    ],
    [
      'deeply nested value in a checked field',
      wire(wireEvent('VerificationRequested', { ...REQUEST, users: 0 })).replace(
        '"users":0',
        `"users":${'['.repeat(50_000)}${']'.repeat(50_000)}`,
      ),
    ],
    ['an unterminated deep nesting', '{"a":'.repeat(200_000)],
    ['a number', '1e999'],
    ['a __proto__ key', '{"__proto__": {"specversion": "1.0"}, "type": "EmailVerified"}'],
    ['data as a string', wire(wireEvent('EmailVerified', 'x'))],
    [
      'every field null',
      wire({ specversion: null, id: null, source: null, type: null, time: null, data: null }),
    ],
  ])('on %s', (_case, text) => {
    expect(() => parseEvent(text)).not.toThrow();
    expect(parseEvent(text).ok).toBe(false);
  });
});
