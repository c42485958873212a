import { Logger } from '@nestjs/common';
import type { PhoneVerificationResult } from '../dto/phone-verification-result.js';
import type { Clock } from '../clock.js';
import type { PhoneVerificationCacheStore } from './cache-store.interface.js';
import type { LruCacheStore } from './lru-cache.store.js';
import { nextChinaMidnight } from '../china-time.js';
import { ResultCodeTable } from '../acedata/result-codes.js';

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
 *
 * With a shared store (Redis, or any store given), an in-process LRU sits in
 * front of it (the usual two-level cache): a hot identity costs no round
 * trip, and while the shared store is away an identity this instance has
 * answered is not paid for again by it.
 */
export class VerificationCache {
  private readonly logger = new Logger('PhoneVerificationCache');

  constructor(
    private readonly store: PhoneVerificationCacheStore,
    private readonly ttlMs: number,
    private readonly clock: Clock,
    /** The in-process tier in front of a shared store; none when `store` is one. */
    private readonly near?: LruCacheStore,
    /** How long each result code's answer stays true. */
    private readonly codes: ResultCodeTable = ResultCodeTable.documented,
  ) {}

  /**
   * Whether the store may hold entries older than this process (a shared or
   * custom one, with the in-process tier in front): an in-process store
   * holds only what this process wrote.
   */
  get outlivesProcess(): boolean {
    return this.near !== undefined;
  }

  /**
   * The cached result, or `undefined` on a miss and when the store fails: a
   * failing store costs a call, it does not fail the verification.
   */
  async lookup(key: string): Promise<PhoneVerificationResult | undefined> {
    const now = this.clock.now();
    const near = this.near?.get(key);
    if (isEntry(near) && near.expiresAt > now) return near.result;
    let entry: unknown;
    try {
      entry = await this.store.get(key);
    } catch {
      this.logger.warn('could not read the verification cache; asking AceData');
      return undefined;
    }
    if (!isEntry(entry) || entry.expiresAt <= now) return undefined;
    this.near?.set(key, entry, entry.expiresAt - now);
    return entry.result;
  }

  /** Stores a result if it is cacheable; a failing store is logged, not thrown. */
  async remember(key: string, result: PhoneVerificationResult): Promise<void> {
    const expiresAt = this.expiryOf(result);
    if (expiresAt === undefined) return;
    const entry: CacheEntry = { result, expiresAt };
    const ttlMs = Math.max(1, expiresAt - this.clock.now());
    this.near?.set(key, entry, ttlMs);
    try {
      await this.store.set(key, entry, ttlMs);
    } catch {
      // A failing shared store must not fail a verification already paid for.
      this.logger.warn('could not write the verification cache');
    }
  }

  private expiryOf(result: PhoneVerificationResult): number | undefined {
    const now = this.clock.now();
    switch (this.codes.meaningOf(result.code).cache) {
      case 'ttl':
        return now + this.ttlMs;
      case 'until_china_midnight':
        return nextChinaMidnight(now);
      case 'never':
        return undefined;
    }
  }
}
