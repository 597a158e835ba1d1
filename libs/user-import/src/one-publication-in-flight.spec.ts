import type { OutboxBatch, OutboxStore } from '@app/contracts';
import { OnePublicationInFlight } from './one-publication-in-flight';

const store: OutboxStore = {
  name: 'test',
  findStale: () => Promise.resolve([]),
  acknowledge: () => Promise.resolve(),
};
const batch = (ownerId: string): OutboxBatch => ({ store, pending: [{ ownerId, entries: [] }] });

/** A publish whose calls finish only when the test says so. */
function gatedPublish() {
  const started: string[] = [];
  const gates = new Map<string, { open: () => void; fail: (e: Error) => void }>();
  const publish = (b: OutboxBatch) =>
    new Promise<void>((open, fail) => {
      const owner = b.pending[0]?.ownerId ?? '';
      started.push(owner);
      gates.set(owner, { open, fail });
    });
  return { started, gates, publish };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('OnePublicationInFlight', () => {
  it('returns while a batch publishes, and starts the next only once it is done', async () => {
    const { started, gates, publish } = gatedPublish();
    const publications = new OnePublicationInFlight(publish);
    await publications.next([batch('a')]);
    expect(started).toEqual(['a']);
    const second = publications.next([batch('b')]);
    await tick();
    expect(started).toEqual(['a']);
    gates.get('a')?.open();
    await second;
    expect(started).toEqual(['a', 'b']);
    gates.get('b')?.open();
    await expect(publications.finish()).resolves.toBeUndefined();
  });

  it("reports a publication's failure to the next call, which then publishes nothing", async () => {
    const { started, gates, publish } = gatedPublish();
    const publications = new OnePublicationInFlight(publish);
    await publications.next([batch('a')]);
    gates.get('a')?.fail(new Error('broker down'));
    await expect(publications.next([batch('b')])).rejects.toThrow('broker down');
    expect(started).toEqual(['a']);
  });

  it('reports the last failure to finish, and settles without throwing', async () => {
    const { gates, publish } = gatedPublish();
    const publications = new OnePublicationInFlight(publish);
    await publications.next([batch('a')]);
    gates.get('a')?.fail(new Error('broker down'));
    await expect(publications.finish()).rejects.toThrow('broker down');
    await expect(publications.settle()).resolves.toBeUndefined();
  });
});
