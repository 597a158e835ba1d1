import type { AnyCloudEvent } from './cloud-event';
import { ContractViolationError } from './contract-violation';
import { createEvent } from './create-event';
import { ALL_EVENT_TYPES } from './event-types';
import { KAFKA_KEY_RULES, kafkaKeyOf } from './kafka-keys';
import { SAMPLE_DATA } from './testing/samples';

describe('kafkaKeyOf', () => {
  it.each(ALL_EVENT_TYPES)('%s is keyed as the spec table says', (type) => {
    // A loop variable is the whole union, which TypeScript cannot tie to one event type.
    const event = createEvent(type, SAMPLE_DATA[type], { source: 'urn:test' }) as AnyCloudEvent;
    const expected = KAFKA_KEY_RULES[type] === 'tenantId' ? 'tenant-1' : 'tenant-1:u-1';
    expect(kafkaKeyOf(event)).toBe(expected);
  });

  it('per-user events are keyed tenantId:userId, tenant-wide events by tenantId', () => {
    expect(KAFKA_KEY_RULES).toEqual({
      VerificationRequested: 'tenantId',
      UserImportUploaded: 'tenantId',
      EmailVerified: 'tenantId:userId',
      VismaConnectLinked: 'tenantId:userId',
      VerificationStatusChanged: 'tenantId:userId',
      VerificationBatchCompleted: 'tenantId',
      UserImportCompleted: 'tenantId',
      VerificationMailRequested: 'tenantId:userId',
    });
  });

  it("never gives two tenant and user pairs one key: ('a:b','c') and ('a','b:c') were both 'a:b:c'", () => {
    const linked = (tenantId: string, userId: string) =>
      createEvent(
        'VismaConnectLinked',
        { ...SAMPLE_DATA.VismaConnectLinked, tenantId, userId },
        { source: 'urn:test' },
      ) as AnyCloudEvent;
    expect(kafkaKeyOf(linked('a', 'b:c'))).toBe('a:b:c');
    // The key format is the spec's, so the tenant id may not hold its separator.
    expect(() => linked('a:b', 'c')).toThrow(ContractViolationError);
    // With that, the first ":" of a key is the boundary, and distinct pairs give distinct keys.
    const pairs: [string, string][] = [
      ['a', 'b:c'],
      ['a', 'b'],
      ['ab', 'c'],
      ['a', ':b'],
      ['t', 'u:'],
    ];
    const keys = pairs.map(([t, u]) => kafkaKeyOf(linked(t, u)));
    expect(new Set(keys).size).toBe(pairs.length);
    for (const [i, key] of keys.entries()) {
      const at = key.indexOf(':');
      expect([key.slice(0, at), key.slice(at + 1)]).toEqual(pairs[i]);
    }
  });
});
