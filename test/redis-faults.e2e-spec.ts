import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  rejectionOf,
  startSandbox,
  TEST_ID_CARD,
  type RunningSandbox,
} from '@app/phone-verification/testing';
import {
  BudgetExhaustedError,
  BudgetStoreUnavailableError,
  PhoneVerificationModule,
  PhoneVerificationService,
  UnsafeEvictionPolicyError,
  type PhoneVerificationModuleOptions,
} from '@app/phone-verification';
import { startTestRedis, type TestRedis } from './support/redis-server.js';
import { until } from './support/read-until.js';

// The shared store misbehaving for real: a redis-server of the test's own,
// paused, put to sleep, filled, made to evict, killed and restarted. Each
// case is one of the faults an operator saw turn "never pay twice" off.

const SECRET = 'redis-faults-e2e-secret-0123456789abcdef';
/** Distinct identities the sandbox answers 0 (billed): the phone picks the answer. */
const person = (i: number) => ({
  name: `测试${String.fromCharCode(0x4e00 + i)}`,
  phone: '13800000000',
  idCard: TEST_ID_CARD,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `done` holds within `ms`, looked at every 20 ms. */
const within = (done: () => boolean, ms: number) =>
  until(done, { everyMs: 20, forMs: ms });

describe('shared store through Redis faults (library instances in one process)', () => {
  let redis: TestRedis;
  let sandbox: RunningSandbox;
  let modules: TestingModule[] = [];
  let closeAfter: Array<() => Promise<void>> = [];
  let probe: Redis;

  beforeAll(async () => {
    redis = await startTestRedis({ persist: true });
    sandbox = await startSandbox({ latencyMs: 20 });
  });
  afterAll(async () => {
    await sandbox.close();
    await redis.close();
  });
  beforeEach(async () => {
    sandbox.resetCalls();
    probe = new Redis(redis.url, { maxRetriesPerRequest: null });
    await probe.flushall();
    await probe.config('SET', 'maxmemory', '0');
    await probe.config('SET', 'maxmemory-policy', 'noeviction');
  });
  afterEach(async () => {
    // Whatever a case did, the server answers again before the next one.
    await redis.command(['CLIENT', 'UNPAUSE']);
    await Promise.all(modules.map((m) => m.close()));
    modules = [];
    for (const close of closeAfter) await close();
    closeAfter = [];
    probe.disconnect();
  });

  /** One "replica": its own module and Redis connection, up before it serves. */
  async function replica(
    namespace: string,
    options: Partial<PhoneVerificationModuleOptions> = {},
  ): Promise<PhoneVerificationService> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PhoneVerificationModule.forRoot({
          apiToken: sandbox.token,
          baseUrl: sandbox.url,
          timeoutMs: 4000,
          retry: false,
          redis: { url: redis.url, secret: SECRET, namespace },
          ...options,
        }),
      ],
    }).compile();
    await moduleRef.init();
    modules.push(moduleRef);
    const service = moduleRef.get(PhoneVerificationService);
    expect(await within(() => service.sharedStoreState() === 'up', 3000)).toBe(
      true,
    );
    return service;
  }

  /** Sends a verification while Redis stalls, so a command of it times out. */
  async function stallWith(
    fault: string[],
    services: PhoneVerificationService[],
    stallMs: number,
  ): Promise<number> {
    const started = Date.now();
    await redis.command(fault, false);
    // Each replica sends a command into the stall and gives up on it.
    await Promise.allSettled(services.map((s, i) => s.verify(person(200 + i))));
    for (const s of services) expect(s.sharedStoreState()).toBe('down');
    return started + stallMs;
  }

  describe.each([
    ['CLIENT PAUSE', ['CLIENT', 'PAUSE', '2500', 'ALL']],
    ['DEBUG SLEEP', ['DEBUG', 'SLEEP', '2.5']],
  ])('a %s of 2.5 s', (_name, fault) => {
    it('degrades the store, then shares again within about a second of Redis answering', async () => {
      const ns = `stall${Date.now()}`;
      const replicas = [
        await replica(ns),
        await replica(ns),
        await replica(ns),
      ];
      const answersAgainAt = await stallWith(fault, replicas, 2500);
      expect(
        await within(
          () => replicas.every((r) => r.sharedStoreState() === 'up'),
          6000,
        ),
      ).toBe(true);
      // Back within about a second of the end of the stall (a loaded machine
      // gets some slack; the previous build never came back at all).
      expect(Date.now() - answersAgainAt).toBeLessThan(2500);
      sandbox.resetCalls();
      // One identity asked once on each replica: one upstream call.
      const results = await Promise.all(
        replicas.map((r) => r.verify(person(1))),
      );
      expect(results.every((r) => r.code === 0)).toBe(true);
      expect(sandbox.calls().total).toBe(1);
    });
  });

  it('an OOM reply degrades the store; freeing memory brings it back', async () => {
    const ns = `oom${Date.now()}`;
    const service = await replica(ns, {
      cache: { ttlMs: 60_000, secret: SECRET },
    });
    await probe.config('SET', 'maxmemory', '1');
    await service.verify(person(1)); // its cache write is refused: OOM
    expect(service.sharedStoreState()).toBe('down');
    // Reads still work under OOM, writes don't: still degraded a while later.
    await sleep(800);
    expect(service.sharedStoreState()).toBe('down');
    await probe.config('SET', 'maxmemory', '0');
    const started = Date.now();
    expect(await within(() => service.sharedStoreState() === 'up', 3000)).toBe(
      true,
    );
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('its own event loop blocked for 1.5 s with commands in flight is not a Redis fault', async () => {
    const ns = `loop${Date.now()}`;
    const service = await replica(ns, {
      cache: { ttlMs: 60_000, secret: SECRET },
    });
    const pending = Promise.all(
      Array.from({ length: 20 }, (_, i) => service.verify(person(i))),
    );
    // The cache lookups are written; their replies arrive while we are busy.
    await new Promise((r) => setImmediate(r));
    const blockedAt = Date.now();
    while (Date.now() - blockedAt < 1500) {
      // busy: timers cannot run, replies cannot be read
    }
    await pending;
    expect(service.sharedStoreState()).toBe('up');
    expect(service.sharedStoreFallbacks()).toBe(0);
  });

  it('waiters do not call while the leader of a slow call is still calling, through a stall', async () => {
    const slow = await startSandbox({ latencyMs: 3000 });
    try {
      const ns = `lease${Date.now()}`;
      const options = { baseUrl: slow.url, apiToken: slow.token };
      const [a, b, c] = [
        await replica(ns, options),
        await replica(ns, options),
        await replica(ns, options),
      ];
      const leader = a.verify(person(1));
      await sleep(300);
      const waiters = [b.verify(person(1)), c.verify(person(1))];
      await sleep(300);
      await redis.command(['CLIENT', 'PAUSE', '1500', 'ALL']);
      const results = await Promise.all([leader, ...waiters]);
      expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
      expect(slow.calls().total).toBe(1);
      expect(results.filter((r) => r.shared)).toHaveLength(2);
    } finally {
      await slow.close();
    }
  });

  describe('budgets', () => {
    it('fail closed: refused while Redis stalls, answered again within about a second after', async () => {
      const ns = `closed${Date.now()}`;
      const service = await replica(ns, { budget: { maxBilledPerDay: 100 } });
      await service.verify(person(1));
      const answersAgainAt = await stallWith(
        ['CLIENT', 'PAUSE', '2000', 'ALL'],
        [service],
        2000,
      );
      const refused = await rejectionOf(service.verify(person(2)));
      expect(refused).toBeInstanceOf(BudgetStoreUnavailableError);
      expect(
        await within(() => service.sharedStoreState() === 'up', 5000),
      ).toBe(true);
      expect(Date.now() - answersAgainAt).toBeLessThan(2500);
      expect((await service.verify(person(3))).code).toBe(0);
    });

    it('fail open: what was spent while Redis was away is added to the shared count when it is back', async () => {
      const ns = `open${Date.now()}`;
      const budget = { maxBilledPerDay: 100, failOpen: true };
      const service = await replica(ns, { budget });
      for (let i = 0; i < 2; i++) await service.verify(person(i));
      await redis.command(['CLIENT', 'PAUSE', '2000', 'ALL'], false);
      for (let i = 2; i < 5; i++) await service.verify(person(i));
      expect(
        await within(() => service.sharedStoreState() === 'up', 5000),
      ).toBe(true);
      await sleep(200); // the catch-up runs on recovery
      const [usage] = await service.budgetUsage();
      expect(sandbox.calls().billed).toBe(5);
      expect(usage.spent).toBe(5);
    });

    it('fail open: while Redis is away the cap still holds on this replica', async () => {
      const ns = `opencap${Date.now()}`;
      const budget = { maxBilledPerDay: 5, failOpen: true };
      const service = await replica(ns, { budget });
      for (let i = 0; i < 2; i++) await service.verify(person(i));
      await redis.kill();
      try {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) => service.verify(person(10 + i))),
        );
        expect(sandbox.calls().billed).toBe(5);
        expect(
          outcomes.filter(
            (o) =>
              o.status === 'rejected' &&
              o.reason instanceof BudgetExhaustedError,
          ),
        ).toHaveLength(7);
      } finally {
        await redis.restart();
      }
    });

    it('a restart that lost the counter is detected and re-seeded: the day stays capped', async () => {
      // A Redis of its own that keeps nothing on disk: a restart empties it.
      const volatile = await startTestRedis();
      const ns = `lost${Date.now()}`;
      const service = await replica(ns, {
        budget: { maxBilledPerDay: 6 },
        redis: { url: volatile.url, secret: SECRET, namespace: ns },
      });
      for (let i = 0; i < 4; i++) await service.verify(person(i));
      await volatile.kill();
      closeAfter.push(() => volatile.close());
      // The replica notices, then reconnects to the empty server.
      expect(
        await within(() => service.sharedStoreState() === 'down', 5000),
      ).toBe(true);
      await volatile.restart();
      expect(
        await within(() => service.sharedStoreState() === 'up', 5000),
      ).toBe(true);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => service.verify(person(10 + i))),
      );
      expect(sandbox.calls().billed).toBe(6);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
      expect(service.sharedStoreHealth()?.budgetCounterLost).toMatchObject({
        reseededTo: 4,
      });
    });

    it('a restart that kept the data keeps the count, with no false alarm', async () => {
      const ns = `kept${Date.now()}`;
      const service = await replica(ns, { budget: { maxBilledPerDay: 6 } });
      for (let i = 0; i < 3; i++) await service.verify(person(i));
      await redis.kill();
      expect(
        await within(() => service.sharedStoreState() === 'down', 5000),
      ).toBe(true);
      await redis.restart();
      expect(
        await within(() => service.sharedStoreState() === 'up', 5000),
      ).toBe(true);
      const [usage] = await service.budgetUsage();
      expect(usage.spent).toBe(3);
      expect(service.sharedStoreHealth()?.budgetCounterLost).toBeUndefined();
    });

    it('an eviction under volatile-ttl does not reset the day: at most the budget is billed', async () => {
      const ns = `evict${Date.now()}`;
      // Warned about, not refused: the policy changed after the app started.
      const service = await replica(ns, { budget: { maxBilledPerDay: 20 } });
      for (let i = 0; i < 10; i++) await service.verify(person(i));
      await probe.config('SET', 'maxmemory-policy', 'volatile-ttl');
      const used = Number(
        /used_memory:(\d+)/.exec(await probe.info('memory'))![1],
      );
      await probe.config('SET', 'maxmemory', String(used + 200_000));
      // Keys that live longer than the day's counter push it out: as many
      // as it takes (memory measured a moment ago may have shrunk since).
      const filler = 'x'.repeat(1000);
      const budgetKeys = () => probe.keys(`${ns}:budget*`);
      for (let i = 0; i < 2000 && (await budgetKeys()).length > 0; i++) {
        await probe
          .set(`filler:${i}`, filler, 'EX', 172_800)
          .catch(() => undefined);
      }
      expect(await budgetKeys()).toEqual([]);
      await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => service.verify(person(20 + i))),
      );
      // Counts in flight when the counter went are counted again: the safe side.
      expect(sandbox.calls().billed).toBeLessThanOrEqual(20);
      expect(sandbox.calls().billed).toBeGreaterThanOrEqual(15);
      // The counter is the first key to go each time memory runs out.
      const loss = service.sharedStoreHealth()?.budgetCounterLost;
      expect(loss?.reseededTo).toBeGreaterThanOrEqual(10);
    });
  });

  describe('the eviction policy', () => {
    it('is read at connect: an evicting one is a warning and a readiness detail', async () => {
      await probe.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const service = await replica(`policy${Date.now()}`);
      expect(service.sharedStoreHealth()).toMatchObject({
        state: 'up',
        evictionPolicy: 'allkeys-lru',
        evictionSafe: false,
      });
    });

    it('with budgets on, an evicting policy refuses to start, naming the fix', async () => {
      await probe.config('SET', 'maxmemory-policy', 'volatile-lru');
      const error = await rejectionOf(
        replica(`refuse${Date.now()}`, { budget: { maxBilledPerDay: 5 } }),
        UnsafeEvictionPolicyError,
      );
      expect(String(error)).toMatch(
        /maxmemory-policy.*volatile-lru.*noeviction/,
      );
    });

    it('noeviction is safe', async () => {
      const service = await replica(`safe${Date.now()}`, {
        budget: { maxBilledPerDay: 5 },
      });
      expect(service.sharedStoreHealth()).toMatchObject({
        evictionPolicy: 'noeviction',
        evictionSafe: true,
      });
    });
  });
});
