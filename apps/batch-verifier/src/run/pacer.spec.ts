import { Pacer } from './pacer.js';

async function starts(rate: number, calls: number): Promise<number[]> {
  const pacer = new Pacer(rate);
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: calls }, async () => {
      await pacer.slot();
      times.push(performance.now());
    }),
  );
  return times.toSorted((a, b) => a - b);
}

describe('Pacer', () => {
  it('never lets more than rate + 1 calls start within one period', async () => {
    const times = await starts(100, 40);
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter((t) => t >= times[i] && t < times[i] + 100);
      expect(inWindow.length).toBeLessThanOrEqual(11);
    }
  });

  it('keeps the cadence: N calls take about (N - 1) / rate', async () => {
    const times = await starts(100, 30);
    expect(times.at(-1)! - times[0]).toBeGreaterThanOrEqual(29 * 10 - 2);
  });
});
