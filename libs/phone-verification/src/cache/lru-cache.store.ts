import { LRUCache } from 'lru-cache';
import type { PhoneVerificationCacheStore } from './cache-store.interface.js';

/** The default cache store: an in-process LRU (lru-cache) with per-entry TTLs. */
export class LruCacheStore implements PhoneVerificationCacheStore {
  private readonly lru: LRUCache<string, object>;

  constructor(maxEntries: number) {
    this.lru = new LRUCache<string, object>({
      max: maxEntries,
      ttlAutopurge: false,
    });
  }

  get(key: string): unknown {
    return this.lru.get(key);
  }

  set(key: string, value: unknown, ttl?: number): void {
    this.lru.set(key, value as object, { ttl });
  }
}
