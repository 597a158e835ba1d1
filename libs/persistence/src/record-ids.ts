/**
 * The `_id` of a record that belongs to one tenant: the tenant and the record's own ids, as a
 * JSON array (["tenant","import-7"]). Unambiguous for any ids, and another tenant's record with
 * the same id is another document, never the same one resumed.
 */
export function tenantRecordId(tenantId: string, ...ids: (string | number)[]): string {
  return JSON.stringify([tenantId, ...ids]);
}
