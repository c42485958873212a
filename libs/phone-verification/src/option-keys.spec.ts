import { resolvePhoneVerificationOptions } from './phone-verification.options.js';
import { InvalidPhoneVerificationOptionsError } from './errors/boot.errors.js';

const BASE = { apiToken: 'token-abc' };

/** The option a boot fails on, or undefined when it does not. */
function refused(options: object): string | undefined {
  try {
    resolvePhoneVerificationOptions(options as never);
    return undefined;
  } catch (error) {
    return error instanceof InvalidPhoneVerificationOptionsError
      ? error.option
      : `not an options error: ${String(error)}`;
  }
}

describe('unknown option keys', () => {
  it.each([
    [{ reddis: { url: 'redis://x' } }, 'reddis'],
    [{ cache: { ttl: 60_000, secret: 's'.repeat(32) } }, 'cache.ttl'],
    [{ retry: { attempts: 2 } }, 'retry.attempts'],
    [
      { budget: { maxBilledPerDay: 5, perKey: { max: 1 } } },
      'budget.perKey.max',
    ],
    [
      {
        redis: {
          url: 'redis://x',
          secret: 's'.repeat(32),
          singleFlight: { leaseMs: 1 },
        },
      },
      'redis.singleFlight.leaseMs',
    ],
  ])('%j fails the boot naming %s', (options, option) => {
    expect(refused({ ...BASE, ...options })).toBe(option);
  });

  it('says which keys the place takes', () => {
    expect(() =>
      resolvePhoneVerificationOptions({
        ...BASE,
        retry: { attempts: 2 },
      } as never),
    ).toThrow(
      /"retry.attempts" is not an option of the module \("retry" takes: maxAttempts, /,
    );
  });

  it('takes every documented option, and does not look into objects given whole', () => {
    class Store {
      readonly anything = 1;
      async get() {
        return undefined;
      }
      async set() {}
    }
    expect(
      refused({
        ...BASE,
        baseUrl: 'https://api.acedata.cloud',
        timeoutMs: 5_000,
        defaultVerifyMode: 'short',
        retry: { maxAttempts: 2, baseDelayMs: 100 },
        circuitBreaker: false,
        dedupe: true,
        cache: { ttlMs: 60_000, secret: 's'.repeat(32), store: new Store() },
        budget: {
          maxBilledPerDay: 5,
          perKey: { maxBilledPerDay: 1 },
          failOpen: false,
        },
        onVerification: () => undefined,
      }),
    ).toBeUndefined();
  });
});
