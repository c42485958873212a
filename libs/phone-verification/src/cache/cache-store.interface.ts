/**
 * Where cached results live. Keyv (and so cache-manager 6/7 stores, Redis
 * included) fits this shape, as does the built-in LRU store. `ttl` is in ms.
 */
export interface PhoneVerificationCacheStore {
  get(key: string): Promise<unknown> | unknown;
  set(key: string, value: unknown, ttl?: number): Promise<unknown> | unknown;
}
