import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  it('sends the first item at once, then what came meanwhile as one group, in order', async () => {
    const groups: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const commit = new GroupCommit<number>(async (items) => {
      groups.push([...items]);
      if (groups.length === 1) await first;
    });
    const done = [commit.submit(1)];
    expect(groups).toEqual([[1]]);
    for (let i = 2; i <= 5; i++) done.push(commit.submit(i));
    expect(commit.waiting()).toBe(4);
    release();
    await Promise.all(done);
    expect(groups).toEqual([[1], [2, 3, 4, 5]]);
    expect(commit.waiting()).toBe(0);
  });

  it('rejects the callers of a failed group only, and goes on with the next', async () => {
    let calls = 0;
    const commit = new GroupCommit<string>(async () => {
      calls += 1;
      await Promise.resolve();
      if (calls === 2) throw new Error('store away');
    });
    const a = commit.submit('a');
    const b = commit.submit('b');
    const c = commit.submit('c');
    await expect(a).resolves.toBeUndefined();
    await expect(b).rejects.toThrow('store away');
    await expect(c).rejects.toThrow('store away');
    await expect(commit.submit('d')).resolves.toBeUndefined();
  });

  it('keeps a group to its largest size', async () => {
    const sizes: number[] = [];
    const commit = new GroupCommit<number>(async (items) => {
      sizes.push(items.length);
      await Promise.resolve();
    }, 3);
    await Promise.all(Array.from({ length: 8 }, (_, i) => commit.submit(i)));
    expect(sizes).toEqual([1, 3, 3, 1]);
  });
});
