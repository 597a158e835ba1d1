import { writeInChunks } from './write-in-chunks';

describe('writeInChunks', () => {
  it('sends every operation once, in order, in commands of at most the chunk size', async () => {
    const commands: number[][] = [];
    await writeInChunks(
      Array.from({ length: 120 }, (_, i) => i),
      async (chunk) => void commands.push(chunk),
      50,
    );
    expect(commands.map((c) => c.length)).toEqual([50, 50, 20]);
    expect(commands.flat()).toEqual(Array.from({ length: 120 }, (_, i) => i));
  });

  it('sends nothing for no operations', async () => {
    const write = jest.fn();
    await writeInChunks([], write);
    expect(write).not.toHaveBeenCalled();
  });
});
