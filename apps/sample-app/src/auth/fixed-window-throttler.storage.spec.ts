import { jest } from '@jest/globals';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage.js';

describe('FixedWindowThrottlerStorage', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse('2026-11-23T12:00:00Z') });
  });
  afterEach(() => jest.useRealTimers());

  it('counts hits within the window and blocks past the limit, for the block duration', async () => {
    const storage = new FixedWindowThrottlerStorage();
    for (let i = 1; i <= 3; i++) {
      expect(
        await storage.increment('k', 60_000, 3, 60_000, 'default'),
      ).toMatchObject({
        totalHits: i,
        isBlocked: false,
        timeToExpire: 60,
      });
    }
    expect(
      await storage.increment('k', 60_000, 3, 60_000, 'default'),
    ).toMatchObject({
      totalHits: 4,
      isBlocked: true,
      timeToBlockExpire: 60,
    });
    jest.advanceTimersByTime(30_000);
    expect(
      await storage.increment('k', 60_000, 3, 60_000, 'default'),
    ).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 30,
    });
    jest.advanceTimersByTime(30_001);
    expect(
      await storage.increment('k', 60_000, 3, 60_000, 'default'),
    ).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });

  it('keeps keys and throttlers apart', async () => {
    const storage = new FixedWindowThrottlerStorage();
    await storage.increment('a', 1000, 1, 1000, 'default');
    expect(
      (await storage.increment('b', 1000, 1, 1000, 'default')).isBlocked,
    ).toBe(false);
    expect(
      (await storage.increment('a', 1000, 1, 1000, 'per-ip')).isBlocked,
    ).toBe(false);
    expect(
      (await storage.increment('a', 1000, 1, 1000, 'default')).isBlocked,
    ).toBe(true);
  });

  it('holds one record per key, whatever the rate, and sweeps expired ones', async () => {
    const storage = new FixedWindowThrottlerStorage();
    for (let i = 0; i < 10_000; i++)
      await storage.increment('hot', 60_000, 1_000_000, 0, 'default');
    await storage.increment('cold', 1_000, 10, 0, 'default');
    expect(storage.size).toBe(2);
    jest.advanceTimersByTime(61_000);
    storage.sweep(Date.now());
    expect(storage.size).toBe(0);
  });
});
