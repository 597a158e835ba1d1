import type { AnyCloudEvent } from './cloud-event';
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
});
