import type { DataInputOf } from '../event-schemas';
import type { EventType } from '../event-types';

/**
 * One minimal valid `data` per event type, as a producer would write it. Shared by the specs so
 * that "every event has a passing sample" is checked against the same values everywhere.
 */
export const SAMPLE_DATA: { [K in EventType]: DataInputOf<K> } = {
  VerificationRequested: {
    requestId: '6f1c2a8e-3b1d-4d0f-9f43-0e2d5f7b9a10',
    tenantId: 'tenant-1',
    requestedBy: { userId: 'admin-1', displayName: 'Admin' },
    users: [{ userId: 'u-1', email: 'anna@example.com', locale: 'sv' }, { userId: 'u-2' }],
  },
  UserImportUploaded: {
    importId: 'imp-1',
    tenantId: 'tenant-1',
    uploadedBy: { userId: 'admin-1' },
    template: 'employees-users',
    file: { uri: 'file:///tmp/anstallda.xlsx', name: 'anstallda.xlsx', sizeBytes: 2048 },
  },
  EmailVerified: {
    tenantId: 'tenant-1',
    userId: 'u-1',
    email: 'anna@example.com',
    verifiedAt: '2024-05-01T12:00:00Z',
    method: 'link',
  },
  VismaConnectLinked: {
    tenantId: 'tenant-1',
    userId: 'u-1',
    email: 'anna@example.com',
    verifiedAt: '2024-05-01T12:00:00Z',
    linkedAt: '2024-05-01T12:00:01.250Z',
  },
  VerificationStatusChanged: {
    tenantId: 'tenant-1',
    userId: 'u-1',
    status: 'verification_sent',
    email: 'anna@example.com',
    requestId: '6f1c2a8e-3b1d-4d0f-9f43-0e2d5f7b9a10',
    occurredAt: '2024-05-01T12:00:00Z',
  },
  VerificationBatchCompleted: {
    requestId: '6f1c2a8e-3b1d-4d0f-9f43-0e2d5f7b9a10',
    tenantId: 'tenant-1',
    requested: 2,
    sent: 1,
    failed: 0,
    skipped: {
      no_email: 1,
      invalid_email: 0,
      already_verified: 0,
      already_linked: 0,
      recently_sent: 0,
    },
    completedAt: '2024-05-01T12:05:00Z',
  },
  UserImportCompleted: {
    importId: 'imp-1',
    tenantId: 'tenant-1',
    status: 'completed',
    rows: 3,
    updated: 1,
    unchanged: 1,
    rejected: 1,
    reasons: { invalid_email: 1 },
    completedAt: '2024-05-01T12:05:00Z',
  },
  VerificationMailRequested: {
    tenantId: 'tenant-1',
    userId: 'u-1',
    requestId: '6f1c2a8e-3b1d-4d0f-9f43-0e2d5f7b9a10',
    part: 1,
    slot: 0,
    sendId: '0b7a6f5e-1c2d-5e3f-8a9b-0c1d2e3f4a5b',
    email: 'anna@example.com',
    locale: 'sv',
  },
};

/** A structured-mode CloudEvent as it arrives on the wire, before any parsing. */
export function wireEvent(
  type: string,
  data: unknown,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: 'evt-1',
    source: 'urn:test',
    type,
    time: '2024-05-01T12:00:00Z',
    datacontenttype: 'application/json',
    data,
    ...overrides,
  };
}

export function wire(value: unknown): string {
  return JSON.stringify(value);
}
