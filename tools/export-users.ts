/**
 * The export side of the Employees/users template (R7): a tenant's users with their Visma
 * Connect address and verification state, as CSV (semicolons, UTF-8 with BOM: what Swedish
 * Excel opens) or XLSX. The file can be edited and uploaded again as an import.
 *
 *   npm run users:export -- --tenant acme [--format csv|xlsx] [--out acme-anvandare.csv]
 *
 * MONGODB_URI names the database (default: the local stack's).
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { writeReport } from '@app/import-files';
import { connectMongo, UserStateRepository } from '@app/persistence';
import { exportRows } from '@app/user-import';

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const { values } = parseArgs({
    args,
    options: {
      tenant: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      out: { type: 'string' },
    },
  });
  if (!values.tenant) throw new Error('--tenant is required');
  if (values.format !== 'csv' && values.format !== 'xlsx')
    throw new Error(`--format must be csv or xlsx, got ${values.format}`);
  const format = values.format;
  const out = resolve(values.out ?? `${values.tenant}-anvandare.${format}`);
  const uri = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/connect-provisioning';
  const connection = await connectMongo(uri);
  try {
    let users = 0;
    const states = new UserStateRepository(connection).streamTenant(values.tenant);
    async function* counted() {
      for await (const row of exportRows(states)) {
        users++;
        yield row;
      }
    }
    await writeReport(
      { format, csv: { delimiter: ';', encoding: 'utf-8', bom: true } },
      out,
      counted(),
    );
    console.log(`wrote ${users - 1} users of tenant ${values.tenant} to ${out}`);
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
