import { Pacer } from './pacer.js';

describe('Pacer', () => {
  it('spaces 12 concurrent callers at least 1/rate apart, by their actual start', async () => {
    const pacer = new Pacer(100);
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        await pacer.slot();
        starts.push(performance.now());
      }),
    );
    const sorted = starts.toSorted((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i] - sorted[i - 1]).toBeGreaterThanOrEqual(9.9);
    }
  });
});
