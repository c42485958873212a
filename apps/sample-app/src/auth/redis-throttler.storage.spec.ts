import { Redis } from 'ioredis';
import type { RedisClientLike } from '@app/phone-verification';
import {
  startTestRedis,
  type TestRedis,
} from '../../../../test/support/redis-server.js';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

describe('RedisThrottlerStorage (real Redis)', () => {
  let redis: TestRedis;
  const clients: Redis[] = [];
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await redis.close();
  });

  async function storage(namespace: string): Promise<RedisThrottlerStorage> {
    const client = new Redis(redis.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 100,
    });
    client.on('error', () => undefined);
    clients.push(client);
    await new Promise((r) => client.once('ready', r));
    return new RedisThrottlerStorage(
      client as unknown as RedisClientLike,
      namespace,
      new FixedWindowThrottlerStorage(),
    );
  }

  it('one limit across instances: 20 concurrent hits from 3 storages, limit 5 → 5 allowed', async () => {
    const storages = await Promise.all([1, 2, 3].map(() => storage('shared')));
    const records = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        storages[i % 3].increment('key:abc', 60_000, 5, 60_000, 'default'),
      ),
    );
    expect(records.filter((r) => !r.isBlocked)).toHaveLength(5);
    const blocked = records.find((r) => r.isBlocked);
    expect(blocked?.timeToBlockExpire).toBeGreaterThan(50);
    // Another tracker is counted apart.
    const other = await storages[0].increment(
      'ip:1',
      60_000,
      5,
      60_000,
      'default',
    );
    expect(other).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('counts in memory while Redis is away, and in Redis again when it is back', async () => {
    const s = await storage('failover');
    await s.increment('key:x', 60_000, 100, 60_000, 'default');
    await redis.kill();
    const during = await s.increment('key:x', 60_000, 100, 60_000, 'default');
    // The in-memory fallback starts its own window.
    expect(during).toMatchObject({ totalHits: 1, isBlocked: false });
    await redis.restart();
    // Once the client has reconnected (ioredis retries by itself), hits are
    // counted in Redis again.
    const probe = new Redis(redis.url);
    clients.push(probe);
    let inRedis: string | null = null;
    for (let i = 0; i < 100 && inRedis === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
      await s.increment('key:y', 60_000, 100, 60_000, 'default');
      inRedis = await probe.get('failover:throttle:{default:key:y}');
    }
    expect(Number(inRedis)).toBeGreaterThanOrEqual(1);
  });
});
