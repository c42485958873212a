import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  PHONE_VERIFICATION_SHARED_STORE,
  PhoneVerificationModule,
  PhoneVerificationService,
  type PhoneVerificationSharedStore,
} from '@app/phone-verification';
import {
  startTestRedis,
  type TestRedis,
} from '../../../../test/support/redis-server.js';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage.js';
import { until } from '../../../../test/support/read-until.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

/** Whether `condition` holds within 5 s, looked at every 25 ms. */
const soon = (condition: () => boolean) =>
  until(condition, { everyMs: 25, forMs: 5_000 });

describe('RedisThrottlerStorage on the library’s Redis handle (real Redis)', () => {
  let redis: TestRedis;
  const modules: TestingModule[] = [];
  const clients: Redis[] = [];
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await Promise.all(modules.map((m) => m.close()));
    for (const client of clients) client.disconnect();
    await redis.close();
  });

  /** An instance as the app builds it: the library connects, the throttler takes its handle. */
  async function instance(namespace: string) {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PhoneVerificationModule.forRoot({
          apiToken: 'throttler-spec-token',
          baseUrl: 'http://127.0.0.1:9',
          redis: {
            url: redis.url,
            namespace,
            secret: 'throttler-spec-secret-0123456789abcdef',
          },
          budget: { maxBilledPerDay: 10 },
        }),
      ],
    }).compile();
    modules.push(moduleRef);
    const store = moduleRef.get<PhoneVerificationSharedStore>(
      PHONE_VERIFICATION_SHARED_STORE,
    );
    const storage = new RedisThrottlerStorage(
      store,
      new FixedWindowThrottlerStorage(),
    );
    return {
      store,
      storage,
      verification: moduleRef.get(PhoneVerificationService),
    };
  }

  it('one limit across instances: 20 concurrent hits from 3 storages, limit 5 → 5 allowed', async () => {
    const storages = await Promise.all(
      [1, 2, 3].map(async () => (await instance('shared')).storage),
    );
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

  // One view of Redis for the library and the throttler: readiness never
  // says shared while the limits count per instance, nor the other way.
  it('counts in memory while the library’s handle says Redis is away, and in Redis from the moment it says it is back', async () => {
    const { store, storage } = await instance('failover');
    await storage.increment('key:x', 60_000, 100, 60_000, 'default');
    await redis.kill();
    try {
      // The library learns of it from the connection's close.
      expect(await soon(() => !store.isUp())).toBe(true);
      const during = await storage.increment(
        'key:x',
        60_000,
        100,
        60_000,
        'default',
      );
      // The in-memory fallback starts its own window.
      expect(during).toMatchObject({ totalHits: 1, isBlocked: false });
    } finally {
      await redis.restart();
    }
    expect(await soon(() => store.isUp())).toBe(true);
    // The very next hit is counted in Redis, under the library's namespace.
    await storage.increment('key:y', 60_000, 100, 60_000, 'default');
    const probe = new Redis(redis.url);
    clients.push(probe);
    expect(await probe.get('failover:throttle:{default:key:y}')).toBe('1');
  });

  // The app's commands never judge Redis for the library: a throttler
  // script that fails (a node not connected yet, a bug of the app's) must
  // not make fail-closed budgets refuse every billed call.
  it('an app command that fails falls back alone: Redis stays shared for the library and its budgets', async () => {
    const { store, verification } = await instance('app-failure');
    const failed = await store.attempt(() =>
      store.client.eval("return redis.call('NO_SUCH_COMMAND')", 0),
    );
    expect(failed).toBeUndefined();
    expect(store.isUp()).toBe(true);
    expect(verification.health()).toMatchObject({
      refusingBilledCalls: false,
      sharedStore: { shared: true, state: 'up' },
    });
    // And a command that works answers.
    expect(await store.attempt(() => store.client.eval('return 7', 0))).toBe(7);
  });
});
