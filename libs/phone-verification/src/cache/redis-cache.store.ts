import type { SharedRedis } from '../shared-store/shared-redis.js';
import type { PhoneVerificationCacheStore } from './cache-store.interface.js';

/**
 * The result cache in the shared Redis: one string per cached identity under
 * `<namespace>:cache:<HMAC>`, expiring with the entry. While Redis is away it
 * answers "not cached" and writes nothing, so verifications go on.
 */
export class RedisCacheStore implements PhoneVerificationCacheStore {
  constructor(private readonly redis: SharedRedis) {}

  async get(key: string): Promise<unknown> {
    const text = await this.redis.attempt(() =>
      this.redis.client.get(this.redis.key('cache', key)),
    );
    if (text === undefined || text === null) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttl = 60_000): Promise<void> {
    await this.redis.attempt(() =>
      this.redis.client.set(
        this.redis.key('cache', key),
        JSON.stringify(value),
        'PX',
        Math.max(1, Math.round(ttl)),
      ),
    );
  }
}
