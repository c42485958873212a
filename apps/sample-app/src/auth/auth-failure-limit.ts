import { Inject, Injectable } from '@nestjs/common';
import {
  InjectThrottlerStorage,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { LRUCache } from 'lru-cache';
import {
  SAMPLE_APP_CONFIG,
  type SampleAppConfig,
} from '../sample-app.config.js';

const WINDOW_MS = 60_000;
/** Once over the limit, an address waits this long, whatever it sends. */
const BLOCK_MS = 60_000;

/**
 * Failed authentications per client IP, on every route that needs a key
 * (`/metrics` skips the request throttlers, so guessing keys there was
 * unlimited). Counted in the throttler's storage (Redis when there is one,
 * so every replica sees the same count). Over the limit, the address is
 * refused with 429 before its key is even compared, for `BLOCK_MS`: a right
 * guess during the block must not answer differently from a wrong one. Each
 * replica remembers the blocks it learnt of (the last 10,000 addresses).
 */
@Injectable()
export class AuthFailureLimit {
  private readonly blockedUntil = new LRUCache<string, number>({
    max: 10_000,
  });
  private readonly limit: number;

  constructor(
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    @Inject(SAMPLE_APP_CONFIG) config: SampleAppConfig,
  ) {
    this.limit = config.authFailuresPerIpPerMinute;
  }

  /** Seconds until `ip` may authenticate again; 0 when it may now. */
  retryAfterSeconds(ip: string): number {
    const until = this.blockedUntil.get(ip);
    if (until === undefined) return 0;
    const left = until - Date.now();
    if (left <= 0) {
      this.blockedUntil.delete(ip);
      return 0;
    }
    return Math.ceil(left / 1000);
  }

  /** Counts a failure of `ip`; the seconds it is now blocked for, or 0. */
  async recordFailure(ip: string): Promise<number> {
    const record = await this.storage.increment(
      `auth-failures:ip:${ip}`,
      WINDOW_MS,
      this.limit,
      BLOCK_MS,
      'auth-failures',
    );
    if (!record.isBlocked) return 0;
    const seconds = Math.max(1, record.timeToBlockExpire);
    this.blockedUntil.set(ip, Date.now() + seconds * 1000);
    return seconds;
  }
}
