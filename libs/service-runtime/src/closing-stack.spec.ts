import { ClosingStack } from './closing-stack';

describe('ClosingStack', () => {
  it('closes in the reverse of the order things were opened', async () => {
    const closed: string[] = [];
    const stack = new ClosingStack();
    for (const name of ['mongo', 'producer', 'admin', 'consumers', 'outbox', 'health'])
      stack.push(name, async () => closed.push(name));
    expect(stack.order()).toEqual(['health', 'outbox', 'consumers', 'admin', 'producer', 'mongo']);
    await stack.closeAll();
    expect(closed).toEqual(['health', 'outbox', 'consumers', 'admin', 'producer', 'mongo']);
  });

  it('closes the rest when one close fails, and closes nothing twice', async () => {
    const closed: string[] = [];
    const stack = new ClosingStack();
    stack.push('mongo', async () => closed.push('mongo'));
    stack.push('producer', () => Promise.reject(new Error('broker gone')));
    stack.push('health', async () => closed.push('health'));
    await stack.closeAll();
    await stack.closeAll();
    expect(closed).toEqual(['health', 'mongo']);
  });
});
