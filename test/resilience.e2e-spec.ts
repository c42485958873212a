import { Test } from '@nestjs/testing';
import { Keyv } from 'keyv';
import {
  rejectionOf,
  startSandbox,
  TEST_ID_CARD,
  TEST_NAME,
  type RunningSandbox,
} from '@app/phone-verification/testing';
import {
  LruCacheStore,
  PHONE_VERIFICATION_CLOCK,
  PhoneVerificationModule,
  PhoneVerificationService,
  UpstreamUnavailableError,
  type PhoneVerificationModuleOptions,
  type VerificationEvent,
} from '@app/phone-verification';
import {
  UpstreamConnectionError,
  UpstreamRateLimitedError,
  UpstreamServerError,
  UpstreamTimeoutError,
} from '@app/phone-verification/errors';

const subject = (phone: string, name = TEST_NAME) => ({
  name,
  phone,
  idCard: TEST_ID_CARD,
});

/** A clock the test moves by hand. */
class FakeClock {
  constructor(public current: number) {}
  now(): number {
    return this.current;
  }
}

describe('resilience and cost control (library against the sandbox)', () => {
  let sandbox: RunningSandbox;
  const events: VerificationEvent[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => {
    sandbox.resetCalls();
    events.length = 0;
  });

  async function serviceWith(
    options: Partial<PhoneVerificationModuleOptions> = {},
    clock?: FakeClock,
  ): Promise<PhoneVerificationService> {
    let builder = Test.createTestingModule({
      imports: [
        PhoneVerificationModule.forRoot({
          apiToken: sandbox.token,
          baseUrl: sandbox.url,
          timeoutMs: 1000,
          retry: { baseDelayMs: 10, maxDelayMs: 50 },
          onVerification: (event) => events.push(event),
          ...options,
        }),
      ],
    });
    if (clock)
      builder = builder
        .overrideProvider(PHONE_VERIFICATION_CLOCK)
        .useValue(clock);
    return (await builder.compile()).get(PhoneVerificationService);
  }

  const callsTo = (phone: string) => sandbox.calls().byPhone[phone]?.calls ?? 0;

  describe('safe retries', () => {
    it('429 with Retry-After: 1 → waits about a second, retries once, one result', async () => {
      const service = await serviceWith();
      const started = Date.now();
      const result = await service.verify(subject('13600001429'));
      expect(result.status).toBe('consistent');
      expect(callsTo('13600001429')).toBe(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(events).toEqual([
        expect.objectContaining({ attempts: 2, billed: true }),
      ]);
    });

    it('500 every time → retried up to the limit, then the typed error', async () => {
      const service = await serviceWith({
        retry: { maxAttempts: 3, baseDelayMs: 5 },
      });
      expect(
        await rejectionOf(service.verify(subject('13600000500'))),
      ).toBeInstanceOf(UpstreamServerError);
      expect(callsTo('13600000500')).toBe(3);
    });

    it('500 once → the retry gets the result', async () => {
      const service = await serviceWith();
      expect((await service.verify(subject('13600001500'))).code).toBe(0);
      expect(callsTo('13600001500')).toBe(2);
    });

    it.each([
      ['a connection reset after the request', '13600001001', 'reset'],
      ['a 1 MB 200', '13600000006', 'oversized'],
      ['a trickling 200 body', '13600000005', 'trickle'],
    ])('%s → one call, mayHaveBilled, never retried', async (_label, phone) => {
      const service = await serviceWith({ timeoutMs: 1000 });
      const error = await rejectionOf(service.verify(subject(phone)));
      expect(error.mayHaveBilled).toBe(true);
      expect(error.retryable).toBe(false);
      expect(callsTo(phone)).toBe(1);
      expect(events).toEqual([
        expect.objectContaining({ status: 'error', mayHaveBilled: true }),
      ]);
    });

    it('a refused connection → retried (it cannot have reached AceData)', async () => {
      const closed = await startSandbox();
      const url = closed.url;
      await closed.close();
      const attempts: number[] = [];
      const service = await serviceWith({
        baseUrl: url,
        onVerification: (event) => attempts.push(event.attempts),
      });
      const error = await rejectionOf(service.verify(subject('13800000000')));
      expect(error).toBeInstanceOf(UpstreamConnectionError);
      expect(error.mayHaveBilled).toBe(false);
      expect(attempts).toEqual([3]);
    });

    it('result -2 → retried (engine error, not billed)', async () => {
      const service = await serviceWith();
      expect((await service.verify(subject('13600001003'))).code).toBe(0);
      expect(callsTo('13600001003')).toBe(2);
    });

    it('result -2 every time → the last -2 comes back as a result after the limit', async () => {
      const service = await serviceWith({
        retry: { maxAttempts: 4, baseDelayMs: 5 },
      });
      const result = await service.verify(subject('13800000003'));
      expect(result).toMatchObject({
        code: -2,
        status: 'engine_error',
        billable: false,
        charged: false,
      });
      expect(callsTo('13800000003')).toBe(4);
    });

    it.each([
      ['0', '13800000000'],
      ['1', '13800000001'],
      ['-1', '13800000002'],
      ['-6', '13800000007'],
    ])('result %s → one call, never retried', async (_code, phone) => {
      const service = await serviceWith();
      await service.verify(subject(phone));
      expect(callsTo(phone)).toBe(1);
    });

    it('a timeout → one call, mayHaveBilled, never retried', async () => {
      const service = await serviceWith({ timeoutMs: 300 });
      const error = await rejectionOf(service.verify(subject('13600000002')));
      expect(error).toBeInstanceOf(UpstreamTimeoutError);
      expect(error.mayHaveBilled).toBe(true);
      expect(callsTo('13600000002')).toBe(1);
      expect(events).toEqual([
        expect.objectContaining({ status: 'error', mayHaveBilled: true }),
      ]);
    });

    it.each([
      ['13600000400', 'token_mismatched'],
      ['13600000404', 'api_not_implemented'],
    ])('%s (%s) → one call, not retried', async (phone) => {
      const service = await serviceWith();
      await rejectionOf(service.verify(subject(phone)));
      expect(callsTo(phone)).toBe(1);
    });

    it('a Retry-After longer than maxRetryAfterMs is not waited for', async () => {
      const service = await serviceWith({ retry: { maxRetryAfterMs: 500 } });
      const started = Date.now();
      const error = await rejectionOf(service.verify(subject('13600000429')));
      expect(error).toBeInstanceOf(UpstreamRateLimitedError);
      expect((error as UpstreamRateLimitedError).retryAfterMs).toBe(1000);
      expect(callsTo('13600000429')).toBe(1);
      expect(Date.now() - started).toBeLessThan(900);
    });

    it('no attempt starts past the total deadline', async () => {
      const service = await serviceWith({ retry: { deadlineMs: 500 } });
      await rejectionOf(service.verify(subject('13600000429')));
      expect(callsTo('13600000429')).toBe(1);
    });

    it('retry: false → exactly one attempt', async () => {
      const service = await serviceWith({ retry: false });
      await rejectionOf(service.verify(subject('13600001500')));
      expect(callsTo('13600001500')).toBe(1);
    });
  });

  describe('circuit breaker', () => {
    it('counts failed verifications, not attempts: two unlucky calls do not open it', async () => {
      // Defaults: 3 attempts a call; the breaker opens on a failure rate.
      const service = await serviceWith();
      await rejectionOf(service.verify(subject('13600000500')));
      await rejectionOf(service.verify(subject('13600000500')));
      expect(callsTo('13600000500')).toBe(6);
      expect(service.circuitState()).toBe('closed');
      expect((await service.verify(subject('13800000000'))).code).toBe(0);
    });

    it('opens on a sustained failure rate (more than half of at least 10 verifications)', async () => {
      const service = await serviceWith({
        retry: false,
        circuitBreaker: { failureRate: 0.5, minimumCalls: 10, windowMs: 5000 },
      });
      for (let i = 0; i < 4; i++) await service.verify(subject('13800000000'));
      for (let i = 0; i < 5; i++)
        await rejectionOf(service.verify(subject('13600000500')));
      // 5 failures in 9 verifications: too few calls to judge.
      expect(service.circuitState()).toBe('closed');
      await rejectionOf(service.verify(subject('13600000500')));
      // 6 of 10 failed.
      expect(service.circuitState()).toBe('open');
      const fastFail = await rejectionOf(
        service.verify(subject('13800000000')),
      );
      expect(fastFail).toBeInstanceOf(UpstreamUnavailableError);
      expect(sandbox.calls().total).toBe(10);
    });

    it('consecutiveFailures counts whole verifications, retries included in one', async () => {
      const service = await serviceWith({
        circuitBreaker: { consecutiveFailures: 2, cooldownMs: 60_000 },
      });
      await rejectionOf(service.verify(subject('13600000500')));
      expect(service.circuitState()).toBe('closed');
      await rejectionOf(service.verify(subject('13600000500')));
      expect(service.circuitState()).toBe('open');
      expect(callsTo('13600000500')).toBe(6);
    });

    it('opens after N consecutive failures (upstream calls stop), and closes after the cool-down', async () => {
      const service = await serviceWith({
        retry: false,
        circuitBreaker: { consecutiveFailures: 3, cooldownMs: 400 },
      });
      for (let i = 0; i < 3; i++)
        await rejectionOf(service.verify(subject('13600000500')));
      expect(service.circuitState()).toBe('open');
      const fastFail = await rejectionOf(
        service.verify(subject('13800000000')),
      );
      expect(fastFail).toBeInstanceOf(UpstreamUnavailableError);
      expect(fastFail.mayHaveBilled).toBe(false);
      expect(sandbox.calls().total).toBe(3);
      await new Promise((r) => setTimeout(r, 450));
      expect((await service.verify(subject('13800000000'))).code).toBe(0);
      expect(service.circuitState()).toBe('closed');
      expect(sandbox.calls().total).toBe(4);
    });

    it('does not count results (even engine errors) or bad tokens as upstream failures', async () => {
      const service = await serviceWith({
        retry: false,
        circuitBreaker: { consecutiveFailures: 2 },
      });
      await service.verify(subject('13800000003'));
      await service.verify(subject('13800000003'));
      await rejectionOf(service.verify(subject('13600000400')));
      await rejectionOf(service.verify(subject('13600000400')));
      expect(service.circuitState()).toBe('closed');
    });
  });

  describe('in-flight dedupe', () => {
    it('50 concurrent identical requests → 1 upstream call, 1 billed', async () => {
      const slow = await startSandbox({ latencyMs: 100 });
      try {
        const service = await serviceWith({
          baseUrl: slow.url,
          apiToken: slow.token,
        });
        const results = await Promise.all(
          Array.from({ length: 50 }, () =>
            service.verify(subject('13800000000')),
          ),
        );
        expect(results.every((r) => r.code === 0)).toBe(true);
        expect(slow.calls().total).toBe(1);
        expect(events.filter((e) => e.billed)).toHaveLength(1);
        expect(events.filter((e) => e.shared)).toHaveLength(49);
      } finally {
        await slow.close();
      }
    });

    it('differently formatted input for the same person is the same call', async () => {
      const slow = await startSandbox({ latencyMs: 100 });
      try {
        const service = await serviceWith({
          baseUrl: slow.url,
          apiToken: slow.token,
        });
        await Promise.all([
          service.verify(subject('13800000000')),
          service.verify({
            name: ` ${TEST_NAME}`,
            phone: '+86 138-0000-0000',
            idCard: TEST_ID_CARD.toLowerCase(),
          }),
        ]);
        expect(slow.calls().total).toBe(1);
      } finally {
        await slow.close();
      }
    });

    it('dedupe: false → every call goes upstream', async () => {
      const slow = await startSandbox({ latencyMs: 50 });
      try {
        const service = await serviceWith({
          baseUrl: slow.url,
          apiToken: slow.token,
          dedupe: false,
        });
        await Promise.all(
          Array.from({ length: 5 }, () =>
            service.verify(subject('13800000000')),
          ),
        );
        expect(slow.calls().total).toBe(5);
      } finally {
        await slow.close();
      }
    });
  });

  describe('result cache', () => {
    const secret = 'a-test-secret-of-at-least-32-characters!';

    it('the same identity twice → 1 billed call; the second says it came from cache', async () => {
      const service = await serviceWith({ cache: { ttlMs: 60_000, secret } });
      const first = await service.verify(subject('13800000000'));
      const second = await service.verify(subject('13800000000'));
      expect(first.fromCache).toBe(false);
      // The same answer; this call cost nothing.
      expect(second).toEqual({ ...first, fromCache: true, charged: false });
      expect(sandbox.calls()).toMatchObject({ total: 1, billed: 1 });
      expect(events.map((e) => [e.billed, e.cacheHit])).toEqual([
        [true, false],
        [false, true],
      ]);
    });

    it('an in-process cache is read under the answer digest alone: no 0.1 key, which only a store older than the process can hold', async () => {
      const read: string[] = [];
      const store = new (class extends LruCacheStore {
        override get(key: string): unknown {
          read.push(key);
          return super.get(key);
        }
      })(100);
      const service = await serviceWith({
        cache: { ttlMs: 60_000, secret, store },
      });
      await service.verify(subject('13800000000'));
      await service.verify(subject('13800000000'));
      expect(read.length).toBeGreaterThan(0);
      expect(new Set(read).size).toBe(1);
      expect(sandbox.calls().total).toBe(1);
    });

    it('a different name → a second call', async () => {
      const service = await serviceWith({ cache: { ttlMs: 60_000, secret } });
      await service.verify(subject('13800000000'));
      await service.verify(subject('13800000000', '李四'));
      expect(sandbox.calls().total).toBe(2);
    });

    it('a different verify mode → a second call', async () => {
      const service = await serviceWith({ cache: { ttlMs: 60_000, secret } });
      await service.verify(subject('13800000001'));
      await service.verify({
        ...subject('13800000001'),
        verifyMode: 'detailed',
      });
      expect(sandbox.calls().total).toBe(2);
    });

    it('expires 0/1 answers after the TTL (fake clock)', async () => {
      const clock = new FakeClock(Date.parse('2026-11-23T02:00:00Z'));
      const service = await serviceWith(
        { cache: { ttlMs: 60_000, secret } },
        clock,
      );
      await service.verify(subject('13800000001'));
      clock.current += 59_000;
      await service.verify(subject('13800000001'));
      expect(sandbox.calls().total).toBe(1);
      clock.current += 2_000;
      await service.verify(subject('13800000001'));
      expect(sandbox.calls().total).toBe(2);
    });

    it('caches -6 until the next midnight in China (UTC+8), not for the TTL', async () => {
      // 23:30 in Beijing is 15:30 UTC.
      const clock = new FakeClock(Date.parse('2026-11-23T15:30:00Z'));
      const service = await serviceWith(
        { cache: { ttlMs: 1_000, secret } },
        clock,
      );
      await service.verify(subject('13800000007'));
      clock.current = Date.parse('2026-11-23T15:59:59Z'); // 23:59:59 in Beijing, past the TTL
      expect((await service.verify(subject('13800000007'))).fromCache).toBe(
        true,
      );
      expect(sandbox.calls().total).toBe(1);
      clock.current = Date.parse('2026-11-23T16:00:00Z'); // midnight in Beijing
      expect((await service.verify(subject('13800000007'))).fromCache).toBe(
        false,
      );
      expect(sandbox.calls().total).toBe(2);
    });

    it.each([
      ['-1 no record', '13800000002'],
      ['-2 engine error', '13800000003'],
      ['-4 name invalid', '13800000005'],
    ])('never caches %s', async (_label, phone) => {
      const service = await serviceWith({
        retry: false,
        cache: { ttlMs: 60_000, secret },
      });
      await service.verify(subject(phone));
      await service.verify(subject(phone));
      expect(callsTo(phone)).toBe(2);
    });

    it('never caches errors', async () => {
      const service = await serviceWith({
        retry: false,
        cache: { ttlMs: 60_000, secret },
      });
      await rejectionOf(service.verify(subject('13600000500')));
      await rejectionOf(service.verify(subject('13600000500')));
      expect(callsTo('13600000500')).toBe(2);
    });

    it('the store holds no raw name, phone or ID number: keys are HMACs', async () => {
      // A store that shows everything it was given.
      const held = new Map<string, unknown>();
      const store = {
        get: (key: string) => held.get(key),
        set: (key: string, value: unknown) => void held.set(key, value),
      };
      const service = await serviceWith({
        cache: { ttlMs: 60_000, secret, store },
      });
      const person = {
        name: '韩梅梅',
        phone: '15000000002',
        idCard: '440106198511230046',
      };
      await service.verify(person);
      await service.verify(subject('13800000007'));
      expect(held.size).toBe(2);
      const dump = JSON.stringify([...held]);
      for (const raw of [
        person.name,
        person.phone,
        person.idCard,
        TEST_NAME,
        '13800000007',
        TEST_ID_CARD,
      ]) {
        expect(dump).not.toContain(raw);
      }
      for (const key of held.keys()) expect(key).toMatch(/^[0-9a-f]{64}$/);
    });

    it('takes a Keyv store (the shape cache-manager and Redis stores share)', async () => {
      const store = new Keyv();
      const service = await serviceWith({
        cache: { ttlMs: 60_000, secret, store },
      });
      await service.verify(subject('13800000000'));
      expect((await service.verify(subject('13800000000'))).fromCache).toBe(
        true,
      );
      expect(sandbox.calls().total).toBe(1);
    });

    it('two instances sharing a store and secret share answers', async () => {
      const store = new Keyv();
      const a = await serviceWith({ cache: { ttlMs: 60_000, secret, store } });
      const b = await serviceWith({ cache: { ttlMs: 60_000, secret, store } });
      await a.verify(subject('13800000000'));
      expect((await b.verify(subject('13800000000'))).fromCache).toBe(true);
      expect(sandbox.calls().total).toBe(1);
    });

    it('a failing store does not fail the verification', async () => {
      const broken = {
        get: () => Promise.reject(new Error('redis down')),
        set: () => Promise.reject(new Error('redis down')),
      };
      const service = await serviceWith({
        cache: { ttlMs: 60_000, secret, store: broken },
      });
      expect((await service.verify(subject('13800000000'))).code).toBe(0);
    });

    it('refuses to boot with a short secret, naming the option', async () => {
      await expect(
        serviceWith({ cache: { ttlMs: 1000, secret: 'short' } }),
      ).rejects.toThrow(/"cache.secret".*PHONE_VERIFICATION_CACHE_SECRET/);
    });
  });

  it('a throwing onVerification hook does not break verify()', async () => {
    const service = await serviceWith({
      onVerification: () => {
        throw new Error('metrics down');
      },
    });
    expect((await service.verify(subject('13800000000'))).code).toBe(0);
  });
});
