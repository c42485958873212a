import { Redis } from 'ioredis';
import {
  startTestRedis,
  type TestRedis,
} from '../../../../test/support/redis-server.js';
import { RedisAvailability } from '../shared-store/redis-availability.js';
import type { RedisClientLike } from '../shared-store/redis-client.js';
import { SharedRedis } from '../shared-store/shared-redis.js';
import { MemoryBudgetLedger, type BudgetLedger } from './budget-ledger.js';
import { RedisBudgetLedger } from './redis-budget-ledger.js';

const DAY = '2026-11-24';
const SCOPES = [{ id: 'global', cap: 7 }];

async function race(ledger: BudgetLedger): Promise<number> {
  const outcomes = await Promise.all(
    Array.from({ length: 50 }, () =>
      ledger.reserve(DAY, SCOPES, Date.now() + 60_000),
    ),
  );
  return outcomes.filter((o) => 'hold' in o).length;
}

describe('budget ledgers', () => {
  let redis: TestRedis;
  const clients: Redis[] = [];
  const availabilities: RedisAvailability[] = [];
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    for (const availability of availabilities) availability.stop();
    for (const client of clients) await client.quit();
    await redis.close();
  });

  async function redisLedger(
    namespace: string,
    seed?: (day: string) => Promise<number>,
  ): Promise<RedisBudgetLedger> {
    const client = new Redis(redis.url);
    clients.push(client);
    await new Promise((r) => client.once('ready', r));
    const like = client as unknown as RedisClientLike;
    const availability = new RedisAvailability(like, {
      run: () => client.ping(),
      intervalMs: 250,
    });
    availabilities.push(availability);
    return new RedisBudgetLedger(
      new SharedRedis(like, availability, namespace, false, 1_000),
      false,
      seed,
    );
  }

  it('memory: 50 concurrent reservations against a cap of 7 → exactly 7', async () => {
    expect(await race(new MemoryBudgetLedger())).toBe(7);
  });

  it('Redis: 50 concurrent reservations from 5 connections against a cap of 7 → exactly 7', async () => {
    const ledgers = await Promise.all(
      [1, 2, 3, 4, 5].map(() => redisLedger('race')),
    );
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        ledgers[i % 5].reserve(DAY, SCOPES, Date.now() + 60_000),
      ),
    );
    expect(outcomes.filter((o) => 'hold' in o)).toHaveLength(7);
    expect(await ledgers[0].spent(DAY, SCOPES, Date.now() + 60_000)).toEqual([
      7,
    ]);
  });

  it('Redis: a release gives one unit back, once; several scopes are all-or-nothing', async () => {
    const ledger = await redisLedger('scopes');
    const scopes = [
      { id: 'global', cap: 2 },
      { id: 'key:abc', cap: 1 },
    ];
    const first = await ledger.reserve(DAY, scopes, Date.now() + 60_000);
    if (!('hold' in first)) throw new Error('expected room');
    // The per-key scope is full: nothing is counted in either.
    expect(await ledger.reserve(DAY, scopes, Date.now() + 60_000)).toEqual({
      full: scopes[1],
    });
    expect(await ledger.spent(DAY, scopes, Date.now() + 60_000)).toEqual([
      1, 1,
    ]);
    await first.hold.release();
    expect(await ledger.spent(DAY, scopes, Date.now() + 60_000)).toEqual([
      0, 0,
    ]);
    // A release repeated (a retry after an outage) gives nothing more back.
    const second = await ledger.reserve(DAY, scopes, Date.now() + 60_000);
    expect('hold' in second).toBe(true);
    await first.hold.release();
    expect(await ledger.spent(DAY, scopes, Date.now() + 60_000)).toEqual([
      1, 1,
    ]);
  });

  it('Redis restarted empty: the day’s count starts from the usage ledger’s, not from zero', async () => {
    const scopes = [{ id: 'global', cap: 7 }];
    const recorded: Record<string, number> = { [DAY]: 0 };
    const seed = (day: string) => Promise.resolve(recorded[day] ?? 0);
    const before = await redisLedger('reseed', seed);
    for (let i = 0; i < 4; i++) {
      const outcome = await before.reserve(DAY, scopes, Date.now() + 60_000);
      if (!('hold' in outcome)) throw new Error('expected room');
      await outcome.hold.keep();
    }
    // Those four calls are in the ledger (billed), and so are two made by a
    // replica that never reported them to Redis.
    recorded[DAY] = 6;
    await redis.kill();
    await redis.restart();
    // A replica started after the restart: it never saw the day.
    const after = await redisLedger('reseed', seed);

    const first = await after.reserve(DAY, scopes, Date.now() + 60_000);

    expect('hold' in first).toBe(true);
    expect(await after.spent(DAY, scopes, Date.now() + 60_000)).toEqual([7]);
    expect(await after.reserve(DAY, scopes, Date.now() + 60_000)).toEqual({
      full: scopes[0],
    });
    expect(after.lostCounter()).toMatchObject({ day: DAY, reseededTo: 6 });
  });

  it('Redis lost the day’s counter while the usage ledger is away: no call is counted from zero (fail closed), and it seeds once the ledger answers', async () => {
    const scopes = [{ id: 'global', cap: 5 }];
    let recorded: number | 'away' = 'away';
    const seed = (day: string) =>
      recorded === 'away'
        ? Promise.reject(new Error('ledger store away'))
        : Promise.resolve(day === DAY ? recorded : 0);
    await redis.kill();
    await redis.restart();
    const ledger = await redisLedger('reseed-away', seed);

    for (let i = 0; i < 3; i++) {
      await expect(
        ledger.reserve(DAY, scopes, Date.now() + 60_000),
      ).rejects.toThrow('budget store unavailable');
    }
    expect(ledger.seedFailures()).toBe(3);
    expect(await ledger.spent(DAY, scopes, Date.now() + 60_000)).toEqual([0]);

    // Back: the 4 calls it recorded meanwhile count, and one more fits.
    recorded = 4;
    const first = await ledger.reserve(DAY, scopes, Date.now() + 60_000);
    expect('hold' in first).toBe(true);
    expect(await ledger.reserve(DAY, scopes, Date.now() + 60_000)).toEqual({
      full: scopes[0],
    });
    expect(await ledger.spent(DAY, scopes, Date.now() + 60_000)).toEqual([5]);
  });

  it('memory: a new China day starts afresh', async () => {
    const ledger = new MemoryBudgetLedger();
    await race(ledger);
    expect(await ledger.spent('2026-11-25', SCOPES)).toEqual([0]);
  });
});
