import type { PhoneVerificationResult } from '../dto/phone-verification-result.js';
import type { Clock } from '../resilience/clock.js';
import type { PhoneVerificationCacheStore } from './cache-store.interface.js';
import { nextChinaMidnight } from '../china-time.js';

/** What is stored: the result and when it stops being true. */
interface CacheEntry {
  result: PhoneVerificationResult;
  expiresAt: number;
}

function isEntry(value: unknown): value is CacheEntry {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CacheEntry).expiresAt === 'number' &&
    typeof (value as CacheEntry).result === 'object'
  );
}

/**
 * Caches definitive answers: 0 and 1 for the TTL; -6 (daily limit) until
 * the next midnight in China, when the limit resets. Errors, engine codes
 * and no-record answers are never cached. Keys are HMACs (see
 * `createSubjectKeyer`); the stored result holds no name, phone or ID.
 */
export class VerificationCache {
  constructor(
    private readonly store: PhoneVerificationCacheStore,
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  async get(key: string): Promise<PhoneVerificationResult | undefined> {
    const entry = await this.store.get(key);
    if (!isEntry(entry) || entry.expiresAt <= this.clock.now())
      return undefined;
    return entry.result;
  }

  async set(key: string, result: PhoneVerificationResult): Promise<void> {
    const expiresAt = this.expiryOf(result);
    if (expiresAt === undefined) return;
    const entry: CacheEntry = { result, expiresAt };
    await this.store.set(key, entry, Math.max(1, expiresAt - this.clock.now()));
  }

  private expiryOf(result: PhoneVerificationResult): number | undefined {
    const now = this.clock.now();
    if (result.code === 0 || result.code === 1) return now + this.ttlMs;
    if (result.code === -6) return nextChinaMidnight(now);
    return undefined;
  }
}
