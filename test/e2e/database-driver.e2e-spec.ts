import mongoose from 'mongoose';
import { isolatedEnv } from '../support/test-env';

// mongoose 9 brings the Node driver 7, which refuses servers reporting a wire version below 9
// (MongoDB 4.4). mongo-java-server 1.47 reports 8 even as MONGO_5_0, so the local stack's
// launcher (infra/local/mongo/MongoLauncher.java) reports 9: without it nothing connects.
describe('the database the tests run on, as the driver sees it', () => {
  it('is a server the driver accepts, answering commands', async () => {
    const db = await mongoose
      .createConnection(isolatedEnv('driver').MONGODB_URI!, { serverSelectionTimeoutMS: 10_000 })
      .asPromise();
    try {
      const hello = await db.db!.admin().command({ isMaster: 1 });
      expect(hello.maxWireVersion).toBeGreaterThanOrEqual(9);
      await expect(db.db!.admin().command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
    } finally {
      await db.close();
    }
  });
});
