import { wholeNumberOption } from '../option-checks.js';
import { InvalidPhoneVerificationOptionsError } from '../errors/boot.errors.js';
import type { PhoneVerificationCacheStore } from './cache-store.interface.js';

/** The opt-in result cache. */
export interface CacheOptions {
  /** How long answers 0 and 1 are kept. (-6 is kept until midnight in China.) */
  ttlMs: number;
  /** The HMAC secret for cache keys (e.g. PHONE_VERIFICATION_CACHE_SECRET), ≥ 32 characters. */
  secret: string;
  /** A Keyv / cache-manager store, e.g. Redis shared by instances. Default: in-memory LRU, or the shared Redis when `redis` is set. */
  store?: PhoneVerificationCacheStore;
  /** Size of the default LRU store. Default 10000. */
  maxEntries?: number;
}

/** The cache after validation. */
export interface ResolvedCacheOptions {
  readonly ttlMs: number;
  readonly secret: string;
  readonly store?: PhoneVerificationCacheStore;
  readonly maxEntries: number;
}

/** Validates `cache` and applies its defaults; `false` when it is off. */
export function resolveCache(
  cache: CacheOptions | undefined,
): ResolvedCacheOptions | false {
  if (cache === undefined) return false;
  if (typeof cache.secret !== 'string' || cache.secret.length < 32) {
    throw new InvalidPhoneVerificationOptionsError(
      'cache.secret',
      'must be at least 32 characters (set PHONE_VERIFICATION_CACHE_SECRET)',
    );
  }
  if (
    cache.store !== undefined &&
    (typeof cache.store.get !== 'function' ||
      typeof cache.store.set !== 'function')
  ) {
    throw new InvalidPhoneVerificationOptionsError(
      'cache.store',
      'must have get() and set() (a Keyv or cache-manager store)',
    );
  }
  return {
    ttlMs: wholeNumberOption('cache.ttlMs', cache.ttlMs, 1, 365 * 86_400_000),
    secret: cache.secret,
    store: cache.store,
    maxEntries: wholeNumberOption(
      'cache.maxEntries',
      cache.maxEntries ?? 10_000,
      1,
      10_000_000,
    ),
  };
}
