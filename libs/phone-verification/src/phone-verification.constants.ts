/** The name used in boot errors and logs. */
export const PHONE_VERIFICATION_MODULE_NAME = 'PhoneVerification';

/** Injection token of the validated, defaulted module options (internal). */
export const PHONE_VERIFICATION_RESOLVED_OPTIONS =
  'PHONE_VERIFICATION:RESOLVED_OPTIONS';

/** Injection token of the clock (`{ now(), sleep() }`); override it in tests. */
export const PHONE_VERIFICATION_CLOCK = 'PHONE_VERIFICATION:CLOCK';

/**
 * Injection token of the library's Redis handle
 * (`PhoneVerificationSharedStore`, or `null` without `redis`): an app's own
 * shared state (rate limits) uses the same connection and the same view of
 * whether Redis is up.
 */
export const PHONE_VERIFICATION_SHARED_STORE =
  'PHONE_VERIFICATION:SHARED_STORE';

/** Injection token of the library's own `SharedRedis` (or `null`): internal. */
export const PHONE_VERIFICATION_SHARED_REDIS =
  'PHONE_VERIFICATION:SHARED_REDIS';

/**
 * Injection token of the result cache's store (a Keyv / cache-manager
 * store, or `null` when the cache is off): `cache.store` when given, else
 * the shared Redis, else an in-memory LRU. Override it in tests.
 */
export const PHONE_VERIFICATION_CACHE_STORE = 'PHONE_VERIFICATION:CACHE_STORE';

/** Injection token of the result cache (`VerificationCache`, or `null`; internal). */
export const PHONE_VERIFICATION_CACHE = 'PHONE_VERIFICATION:CACHE';

/** Injection token of the spend budget (`SpendBudget`, or `null`; internal). */
export const PHONE_VERIFICATION_BUDGET = 'PHONE_VERIFICATION:BUDGET';

/**
 * Injection token of the HMAC secret of subject keys and budget keys: the
 * shared one (Redis's or the cache's), else one random per process
 * (internal).
 */
export const PHONE_VERIFICATION_KEY_SECRET = 'PHONE_VERIFICATION:KEY_SECRET';

/** Injection token of the usage ledger (`UsageLedger`, or `null` without `ledger`). */
export const PHONE_VERIFICATION_LEDGER = 'PHONE_VERIFICATION:LEDGER';
