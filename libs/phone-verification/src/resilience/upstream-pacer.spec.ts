import { VirtualClock } from '../testing/virtual-clock.js';
import { UpstreamPacer } from './upstream-pacer.js';

/** Starts `calls` calls at once through a pacer in virtual time; their start times. */
async function starts(
  rate: number,
  calls: number,
  clock = new VirtualClock(0),
): Promise<number[]> {
  const pacer = new UpstreamPacer(rate, clock);
  const times: number[] = [];
  await clock.settle(
    Promise.all(
      Array.from({ length: calls }, async () => {
        await pacer.slot();
        times.push(clock.now());
      }),
    ),
  );
  return times.toSorted((a, b) => a - b);
}

describe('UpstreamPacer', () => {
  it('spaces calls evenly: one every 1/rate seconds', async () => {
    const times = await starts(100, 30);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    for (const gap of gaps) expect(gap).toBeCloseTo(10, 6);
  });

  it('never lets more than rate calls start within one second', async () => {
    const times = await starts(20, 60);
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter(
        (t) => t >= times[i] && t < times[i] + 1000,
      );
      expect(inWindow.length).toBeLessThanOrEqual(20);
    }
    expect(times.at(-1)! - times[0]).toBeCloseTo(59 * 50, 6);
  });

  it('after a stall, restarts the cadence from now instead of catching up in a burst', async () => {
    const clock = new VirtualClock(0);
    const pacer = new UpstreamPacer(10, clock);
    await pacer.slot();
    await clock.advance(5_000);
    const times: number[] = [];
    await clock.settle(
      Promise.all(
        [1, 2, 3].map(async () => {
          await pacer.slot();
          times.push(clock.now());
        }),
      ),
    );
    expect(times).toEqual([5_000, 5_100, 5_200]);
  });

  it('a hold (a 429) pushes every later slot past it', async () => {
    const clock = new VirtualClock(0);
    const pacer = new UpstreamPacer(10, clock);
    expect(pacer.book()).toBe(0);
    pacer.holdFor(2_000);
    expect(pacer.book()).toBe(2_000);
    expect(pacer.book()).toBe(2_100);
  });

  it('books nothing when the slot would come at or after the given moment', () => {
    const clock = new VirtualClock(0);
    const pacer = new UpstreamPacer(1, clock);
    expect(pacer.book(5_000)).toBe(0);
    expect(pacer.book(5_000)).toBe(1_000);
    expect(pacer.book(1_500)).toBeUndefined();
    // The refused booking took no slot.
    expect(pacer.book()).toBe(2_000);
  });
});
