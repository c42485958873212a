import request from 'supertest';
import {
  startSandbox,
  TEST_ID_CARD,
  TEST_NAME,
  type RunningSandbox,
} from '@app/phone-verification/testing';
import {
  ACEDATA_TEST_TOKEN,
  KEY_A,
  KEY_B,
  startSampleApp,
  type SampleAppProcess,
} from './support/sample-app-process.js';
import { startTestRedis, type TestRedis } from './support/redis-server.js';

const PATH = '/identity/phone/check-3e';
const BODY = { name: TEST_NAME, phone: '13800000000', id_card: TEST_ID_CARD };
/** Distinct identities the sandbox answers 0 (billed): the phone picks the answer. */
const distinct = (i: number) => ({
  ...BODY,
  name: `测试${String.fromCharCode(0x4e00 + i)}`,
});

const post = (url: string, body: object = BODY, key = KEY_A) =>
  request(url).post(PATH).set('authorization', `Bearer ${key}`).send(body);

/** Waits until every instance's readiness says Redis is shared again; the ms it took. */
async function sharedAgain(urls: string[]): Promise<number> {
  const started = Date.now();
  for (const url of urls) {
    for (;;) {
      const res = await request(url)
        .get('/health/ready')
        .set('authorization', `Bearer ${KEY_A}`);
      if (res.body.details?.redis?.shared === true) break;
      if (Date.now() - started > 10_000) {
        throw new Error(`${url} did not share again: ${res.text}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return Date.now() - started;
}

/**
 * Each test starts three instances (each its own embedded ledger) before it
 * checks anything: on a loaded 2-core machine that alone can take most of
 * jest's default 20 s.
 */
const DEPLOYING_TEST_TIMEOUT_MS = 60_000;

describe('three sample-app instances on one Redis', () => {
  let redis: TestRedis;
  let sandbox: RunningSandbox;
  let apps: SampleAppProcess[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(() => redis.close());
  afterEach(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    apps = [];
    await sandbox.close();
  });

  async function deploy(
    env: NodeJS.ProcessEnv = {},
    latencyMs = 200,
  ): Promise<string[]> {
    sandbox = await startSandbox({ token: ACEDATA_TEST_TOKEN, latencyMs });
    // One namespace per deployment: every instance of it shares the keys.
    const namespace = `e2e${Date.now()}`;
    apps = await Promise.all(
      [1, 2, 3].map(() =>
        startSampleApp({
          ACEDATA_API_TOKEN: sandbox.token,
          ACEDATA_BASE_URL: sandbox.url,
          SAMPLE_APP_API_KEYS: `${KEY_A},${KEY_B}`,
          SAMPLE_APP_RATE_LIMIT_PER_MINUTE: '100000',
          // The storms below come from one address: its limit (600 a
          // minute by default, counted exactly across the instances) is not
          // what these tests are about.
          SAMPLE_APP_RATE_LIMIT_PER_IP_PER_MINUTE: '100000',
          REDIS_URL: redis.url,
          PHONE_VERIFICATION_KEY_SECRET:
            'scale-out-e2e-secret-0123456789abcdef',
          PHONE_VERIFICATION_REDIS_NAMESPACE: namespace,
          ...env,
        }),
      ),
    );
    return apps.map((app) => app.url);
  }

  it(
    'concurrent identical requests, round-robin over the instances → one upstream call',
    async () => {
      const urls = await deploy();
      const answers = await Promise.all(
        Array.from({ length: 9 }, (_, i) => post(urls[i % 3])),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(9).fill(200));
      expect(sandbox.calls().total).toBe(1);
      expect(answers.filter((a) => a.body.billed === true)).toHaveLength(1);
      expect(answers.filter((a) => a.body.cached === true)).toHaveLength(8);
    },
    DEPLOYING_TEST_TIMEOUT_MS,
  );

  it(
    'the per-key rate limit holds across the instances',
    async () => {
      const urls = await deploy({ SAMPLE_APP_RATE_LIMIT_PER_MINUTE: '12' }, 0);
      const statuses: number[] = [];
      for (let i = 0; i < 24; i++) {
        statuses.push((await post(urls[i % 3], distinct(i))).status);
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(12);
      expect(statuses.filter((s) => s === 429)).toHaveLength(12);
      // Another key has its own budget.
      expect((await post(urls[0], BODY, KEY_B)).status).toBe(200);
    },
    DEPLOYING_TEST_TIMEOUT_MS,
  );

  it(
    'a daily budget of 7, 20 concurrent distinct identities → exactly 7 billed, 13 budget_exhausted',
    async () => {
      const urls = await deploy({ PHONE_VERIFICATION_DAILY_BUDGET: '7' }, 50);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => post(urls[i % 3], distinct(i))),
      );
      expect(answers.filter((a) => a.status === 200)).toHaveLength(7);
      const refused = answers.filter((a) => a.status === 429);
      expect(refused).toHaveLength(13);
      for (const a of refused) {
        expect(a.body.error).toMatchObject({
          code: 'budget_exhausted',
          may_have_billed: false,
        });
        expect(Number(a.headers['retry-after'])).toBeGreaterThan(0);
        expect(a.body.trace_id).toEqual(expect.any(String));
      }
      expect(sandbox.calls().total).toBe(7);
    },
    DEPLOYING_TEST_TIMEOUT_MS,
  );

  it(
    'PHONE_VERIFICATION_DAILY_BUDGET_PER_KEY caps each caller key across the instances',
    async () => {
      const urls = await deploy(
        { PHONE_VERIFICATION_DAILY_BUDGET_PER_KEY: '2' },
        0,
      );
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await post(urls[i % 3], distinct(100 + i))).status);
      expect(statuses).toEqual([200, 200, 429, 429]);
      expect((await post(urls[1], distinct(200), KEY_B)).status).toBe(200);
    },
    DEPLOYING_TEST_TIMEOUT_MS,
  );

  it(
    'Redis killed mid-run and restarted → no 5xx for answerable requests, and sharing resumes',
    async () => {
      const urls = await deploy({}, 50);
      expect((await post(urls[0], distinct(1))).status).toBe(200);
      await redis.kill();
      const during = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          post(urls[i % 3], distinct(i % 4)),
        ),
      );
      expect(during.map((a) => a.status)).toEqual(Array(12).fill(200));
      const ready = await request(urls[0])
        .get('/health/ready')
        .set('authorization', `Bearer ${KEY_A}`);
      expect(ready.status).toBe(200);
      expect(ready.body.details.redis).toMatchObject({ shared: false });
      await redis.restart();
      // Wait for each instance to reconnect (ioredis retries by itself).
      for (const url of urls) {
        for (let i = 0; i < 100; i++) {
          const res = await request(url)
            .get('/health/ready')
            .set('authorization', `Bearer ${KEY_A}`);
          if (res.body.details?.redis?.shared === true) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      sandbox.resetCalls();
      const after = await Promise.all(
        Array.from({ length: 6 }, (_, i) => post(urls[i % 3], distinct(50))),
      );
      expect(after.map((a) => a.status)).toEqual(Array(6).fill(200));
      expect(sandbox.calls().total).toBe(1);
      for (const app of apps) {
        // The loss and the recovery are logged once each, not per request.
        expect(
          app.output().match(/Redis is (unavailable|unreachable)/g)?.length ??
            0,
        ).toBeLessThanOrEqual(2);
      }
    },
    DEPLOYING_TEST_TIMEOUT_MS,
  );

  /**
   * Stalls Redis (CLIENT PAUSE 4000 ALL) while each instance sends a request
   * into the stall, checks that each then reports Redis as not shared, and
   * resolves when Redis answers again.
   */
  async function stall(urls: string[]): Promise<void> {
    const answersAgainAt = Date.now() + 4000;
    await redis.command(['CLIENT', 'PAUSE', '4000', 'ALL']);
    await Promise.all(urls.map((url, i) => post(url, distinct(300 + i))));
    for (const url of urls) {
      const ready = await request(url)
        .get('/health/ready')
        .set('authorization', `Bearer ${KEY_A}`);
      expect(ready.body.details.redis).toMatchObject({
        shared: false,
        state: 'degraded',
      });
    }
    await new Promise((r) => setTimeout(r, answersAgainAt - Date.now()));
  }

  describe('after Redis stalled (CLIENT PAUSE 4000 ALL)', () => {
    it(
      'one identity asked on each instance → one upstream call',
      async () => {
        const urls = await deploy({}, 50);
        await stall(urls);
        // Back within about a second of Redis answering (and a scrape).
        expect(await sharedAgain(urls)).toBeLessThan(3_000);
        sandbox.resetCalls();
        for (const url of urls) {
          expect((await post(url, distinct(1))).status).toBe(200);
        }
        expect(sandbox.calls().total).toBe(1);
      },
      DEPLOYING_TEST_TIMEOUT_MS,
    );

    it(
      'a storm of 600 requests for 60 identities → at most 63 upstream calls, sharing still on',
      async () => {
        const urls = await deploy({}, 50);
        await stall(urls);
        await sharedAgain(urls);
        sandbox.resetCalls();
        const answers = await Promise.all(
          Array.from({ length: 600 }, (_, i) =>
            post(urls[i % 3], distinct(400 + (i % 60))),
          ),
        );
        expect(sandbox.calls().total).toBeLessThanOrEqual(63);
        expect(answers.map((a) => a.status).filter((s) => s !== 200)).toEqual(
          [],
        );
        expect(await sharedAgain(urls)).toBeLessThan(1_500);
      },
      DEPLOYING_TEST_TIMEOUT_MS,
    );

    it(
      'a fail-closed daily budget answers 200 again a few seconds after',
      async () => {
        const urls = await deploy(
          { PHONE_VERIFICATION_DAILY_BUDGET: '1000' },
          50,
        );
        await stall(urls);
        const started = Date.now();
        for (const [i, url] of urls.entries()) {
          for (;;) {
            const res = await post(url, distinct(500 + i));
            if (res.status === 200) break;
            expect(res.body.error?.code).toBe('budget_store_unavailable');
            expect(Date.now() - started).toBeLessThan(3_000);
            await new Promise((r) => setTimeout(r, 100));
          }
          expect(
            (
              await request(url)
                .get('/health/ready')
                .set('authorization', `Bearer ${KEY_A}`)
            ).status,
          ).toBe(200);
        }
      },
      DEPLOYING_TEST_TIMEOUT_MS,
    );
  });
});
