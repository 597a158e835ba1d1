import type { Admin } from 'kafkajs';

/** True when the cluster answers a metadata request. */
export async function pingBroker(admin: Admin): Promise<boolean> {
  try {
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  }
}
