import mongoose from 'mongoose';
import { appliedEventKey } from '@app/messaging';
import { ProcessedEventRepository } from '@app/persistence';
import { isolatedEnv } from '../support/test-env';

// The processed-event marks on the real database: what counts as "this event again".
describe('processed events (real MongoDB)', () => {
  let db: mongoose.Connection;
  let sut: ProcessedEventRepository;

  beforeAll(async () => {
    db = await mongoose.createConnection(isolatedEnv('processed').MONGODB_URI!).asPromise();
    sut = new ProcessedEventRepository(db);
    await sut.init();
  });

  afterAll(async () => {
    await db.dropDatabase();
    await db.close();
  });

  it("knows an applied event again, and never another tenant's or another producer's with its id", async () => {
    const applied = { tenantId: 't1', source: '/flex-hrm', eventId: 'evt-1' };
    await sut.markProcessed('group', [applied]);
    await sut.markProcessed('group', [applied]); // recording twice is harmless

    const others = [
      { ...applied, tenantId: 't2' },
      { ...applied, source: '/another-producer' },
      // The parts are kept apart: no sliding of characters between them makes a match.
      { tenantId: 't1', source: '/flex-hrm', eventId: 'evt-1 ' },
    ];
    expect([...(await sut.findProcessed('group', [applied]))]).toEqual([appliedEventKey(applied)]);
    for (const other of others)
      expect({ other, found: [...(await sut.findProcessed('group', [other]))] }).toEqual({
        other,
        found: [],
      });
    expect((await sut.findProcessed('other-group', [applied])).size).toBe(0);
  });
});
