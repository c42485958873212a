import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  rejectionOf,
  startSandbox,
  TEST_ID_CARD,
  TEST_NAME,
  type RunningSandbox,
} from '@app/phone-verification/testing';
import {
  BudgetExhaustedError,
  BudgetStoreUnavailableError,
  PhoneVerificationModule,
  PhoneVerificationService,
  identityDigest,
  legacyIdentityDigest,
  type PhoneVerificationModuleOptions,
} from '@app/phone-verification';
import { startTestRedis, type TestRedis } from './support/redis-server.js';

const SECRET = 'shared-store-e2e-secret-0123456789abcdef';
const subject = (phone: string) => ({
  name: TEST_NAME,
  phone,
  idCard: TEST_ID_CARD,
});
/** Distinct identities that the sandbox answers 0 (billed): the phone picks the answer. */
const distinct = (i: number) => ({
  name: `测试${String.fromCharCode(0x4e00 + i)}`,
  phone: '13800000000',
  idCard: TEST_ID_CARD,
});

describe('shared store on a real Redis (library instances in one process)', () => {
  let redis: TestRedis;
  let sandbox: RunningSandbox;
  const closers: Array<() => Promise<void>> = [];
  /** A plain connection to look at the keys; closed after each test. */
  const probe = () => {
    const client = new Redis(redis.url);
    closers.push(async () => client.disconnect());
    return client;
  };

  beforeAll(async () => {
    redis = await startTestRedis();
    sandbox = await startSandbox({ latencyMs: 150 });
  });
  afterAll(async () => {
    await sandbox.close();
    await redis.close();
  });
  beforeEach(() => sandbox.resetCalls());
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  /** One "instance": its own module, its own Redis connection. */
  async function instance(
    options: Partial<PhoneVerificationModuleOptions> = {},
  ): Promise<PhoneVerificationService> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PhoneVerificationModule.forRoot({
          apiToken: sandbox.token,
          baseUrl: sandbox.url,
          timeoutMs: 2000,
          retry: false,
          redis: {
            url: redis.url,
            secret: SECRET,
            namespace: `t${Date.now()}`,
          },
          ...options,
        }),
      ],
    }).compile();
    await moduleRef.init();
    closers.push(() => moduleRef.close());
    const service = moduleRef.get(PhoneVerificationService);
    // Wait for the connection, as an app does before serving.
    for (let i = 0; i < 100 && service.sharedStoreState() !== 'up'; i++)
      await new Promise((r) => setTimeout(r, 20));
    return service;
  }

  it('the same identity asked on three instances at once → one upstream call', async () => {
    const namespace = `flight${Date.now()}`;
    const shared = { redis: { url: redis.url, secret: SECRET, namespace } };
    const instances = await Promise.all([1, 2, 3].map(() => instance(shared)));
    const results = await Promise.all(
      instances.flatMap((s) =>
        [s, s].map((x) => x.verify(subject('13800000000'))),
      ),
    );
    expect(results.every((r) => r.code === 0)).toBe(true);
    expect(sandbox.calls().total).toBe(1);
    expect(results.filter((r) => !r.shared && !r.fromCache)).toHaveLength(1);
  });

  it('a leader that died leaves its lease to lapse; one waiter takes over and calls', async () => {
    const namespace = `dead${Date.now()}`;
    // One call lasts at most 300 ms: a lease lives 300 + 100 ms.
    const service = await instance({
      timeoutMs: 300,
      redis: {
        url: redis.url,
        secret: SECRET,
        namespace,
        singleFlight: { leaseMarginMs: 100 },
      },
    });
    // Find the lease key by letting a live call take it, then fake a dead
    // leader: a lease with no one renewing it and no answer coming.
    const keys = probe();
    let timer: NodeJS.Timeout | undefined;
    closers.push(async () => clearInterval(timer));
    const seen = new Promise<string>((resolve) => {
      timer = setInterval(async () => {
        const [key] = await keys.keys(`${namespace}:flight:*`);
        if (key) {
          clearInterval(timer);
          resolve(key);
        }
      }, 5);
    });
    await service.verify(subject('13800000000'));
    const lease = await seen;
    await keys.set(lease, 'dead-leader-token', 'PX', 400);
    sandbox.resetCalls();
    const started = Date.now();
    const results = await Promise.all([
      service.verify(subject('13800000000')),
      service.verify(subject('13800000000')),
    ]);
    expect(results.every((r) => r.code === 0)).toBe(true);
    expect(sandbox.calls().total).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('a cached answer on one instance is a cache hit on another', async () => {
    const namespace = `cache${Date.now()}`;
    const shared = {
      redis: { url: redis.url, secret: SECRET, namespace },
      cache: { ttlMs: 60_000, secret: SECRET },
    };
    const [a, b] = await Promise.all([instance(shared), instance(shared)]);
    await a.verify(subject('13800000001'));
    const second = await b.verify(subject('13800000001'));
    expect(second.fromCache).toBe(true);
    expect(sandbox.calls().total).toBe(1);
    // No key holds subject data.
    const keys = await probe().keys(`${namespace}:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatch(
        new RegExp(`^${namespace}:(cache|flight|answer|probe):[0-9a-f-]+$`),
      );
      expect(key).not.toContain('13800000001');
    }
  });

  it('caches under the answer digest, and finds an answer cached before the upgrade under its 0.1 key', async () => {
    const namespace = `digest${Date.now()}`;
    const shared = {
      redis: { url: redis.url, secret: SECRET, namespace },
      cache: { ttlMs: 60_000, secret: SECRET },
    };
    const fields = [TEST_NAME, '13800000001', TEST_ID_CARD, 'short'];
    const now = identityDigest(SECRET, 'answer', fields).toString('hex');
    const before = legacyIdentityDigest(SECRET, fields).toString('hex');
    const a = await instance(shared);
    await a.verify(subject('13800000001'));
    const keys = probe();
    expect(await keys.exists(`${namespace}:cache:${now}`)).toBe(1);
    // As a replica of 0.1 left it: the same answer under the old key.
    await keys.rename(
      `${namespace}:cache:${now}`,
      `${namespace}:cache:${before}`,
    );
    const upgraded = await instance(shared);
    const again = await upgraded.verify(subject('13800000001'));
    expect(again.fromCache).toBe(true);
    expect(sandbox.calls().total).toBe(1);
  });

  it('a budget of 7 with 20 concurrent distinct identities over 3 instances → exactly 7 billed', async () => {
    const namespace = `budget${Date.now()}`;
    const shared = {
      redis: { url: redis.url, secret: SECRET, namespace },
      budget: { maxBilledPerDay: 7 },
    };
    const instances = await Promise.all([1, 2, 3].map(() => instance(shared)));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        instances[i % 3].verify(distinct(i)),
      ),
    );
    const exhausted = outcomes.filter(
      (o) =>
        o.status === 'rejected' && o.reason instanceof BudgetExhaustedError,
    );
    expect(exhausted).toHaveLength(13);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(7);
    const [usage] = await instances[0].budgetUsage();
    expect(usage).toMatchObject({
      budgetKey: 'global',
      limit: 7,
      spent: 7,
      remaining: 0,
    });
  });

  it('answers that were not billed give the unit back', async () => {
    const service = await instance({
      redis: { url: redis.url, secret: SECRET, namespace: `rel${Date.now()}` },
      budget: { maxBilledPerDay: 1 },
    });
    // -1 (no record) is not billed: it does not spend the budget.
    for (let i = 0; i < 3; i++) await service.verify(subject('13800000002'));
    expect((await service.verify(subject('13800000000'))).code).toBe(0);
    const error = await rejectionOf(service.verify(subject('13800000001')));
    expect(error).toBeInstanceOf(BudgetExhaustedError);
    expect((error as BudgetExhaustedError).resetsAt.getTime()).toBeGreaterThan(
      Date.now(),
    );
    expect(sandbox.calls().byPhone['13800000001']).toBeUndefined();
  });

  it('per-key budgets are separate, and keyed by an HMAC', async () => {
    const service = await instance({
      redis: { url: redis.url, secret: SECRET, namespace: `key${Date.now()}` },
      budget: { perKey: { maxBilledPerDay: 1 } },
    });
    await service.verify(distinct(1), { budgetKey: 'tenant-a' });
    await service.verify(distinct(2), { budgetKey: 'tenant-b' });
    const error = await rejectionOf(
      service.verify(distinct(3), { budgetKey: 'tenant-a' }),
    );
    expect(error).toBeInstanceOf(BudgetExhaustedError);
    expect((error as BudgetExhaustedError).budgetKey).toBe('tenant-a');
  });
});

describe('when Redis fails', () => {
  let redis: TestRedis;
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    redis = await startTestRedis();
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
    await redis.close();
  });

  it('answers without the shared store, fails budgets closed, and shares again when it returns', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PhoneVerificationModule.forRoot({
          apiToken: sandbox.token,
          baseUrl: sandbox.url,
          retry: false,
          redis: { url: redis.url, secret: SECRET },
          cache: { ttlMs: 60_000, secret: SECRET },
        }),
      ],
    }).compile();
    const budgeted = await Test.createTestingModule({
      imports: [
        PhoneVerificationModule.forRoot({
          apiToken: sandbox.token,
          baseUrl: sandbox.url,
          redis: { url: redis.url, secret: SECRET },
          budget: { maxBilledPerDay: 100 },
        }),
      ],
    }).compile();
    try {
      const service = moduleRef.get(PhoneVerificationService);
      const capped = budgeted.get(PhoneVerificationService);
      const waitFor = async (state: string) => {
        for (let i = 0; i < 250 && service.sharedStoreState() !== state; i++)
          await new Promise((r) => setTimeout(r, 20));
        expect(service.sharedStoreState()).toBe(state);
      };
      await waitFor('up');
      await redis.kill();
      // Answerable requests are answered; the in-process tier of the cache
      // still stops this instance paying twice for one identity.
      const calls = sandbox.calls().total;
      expect((await service.verify(subject('13800000000'))).code).toBe(0);
      expect((await service.verify(subject('13800000000'))).fromCache).toBe(
        true,
      );
      expect(sandbox.calls().total).toBe(calls + 1);
      await waitFor('down');
      // A billed call that cannot be counted is refused, before it is sent.
      const before = sandbox.calls().total;
      const error = await rejectionOf(capped.verify(subject('13800000000')));
      expect(error).toBeInstanceOf(BudgetStoreUnavailableError);
      expect(sandbox.calls().total).toBe(before);
      await redis.restart();
      await waitFor('up');
      await service.verify(subject('13800000001'));
      expect((await service.verify(subject('13800000001'))).fromCache).toBe(
        true,
      );
      expect((await capped.verify(subject('13800000000'))).code).toBe(0);
    } finally {
      await moduleRef.close();
      await budgeted.close();
    }
  });
});
