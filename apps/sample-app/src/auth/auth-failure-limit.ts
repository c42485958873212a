import { Inject, Injectable } from '@nestjs/common';
import {
  InjectThrottlerStorage,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { LRUCache } from 'lru-cache';
import { ApiKeys, type Authentication } from './api-keys.js';
import {
  SAMPLE_APP_CONFIG,
  type SampleAppConfig,
} from '../sample-app.config.js';

/** A request's key, under the limit: or the address is blocked for now. */
export type LimitedAuthentication =
  | Authentication
  | { readonly kind: 'blocked'; readonly retryAfterSeconds: number };

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
    private readonly keys: ApiKeys,
    @Inject(SAMPLE_APP_CONFIG) config: SampleAppConfig,
  ) {
    this.limit = config.authFailuresPerIpPerMinute;
  }

  /**
   * Checks the request's key, unless its address is blocked (then the key
   * is not even compared); a missing or wrong key counts as a failure of
   * the address, and the one that reaches the limit answers `blocked`.
   */
  async authenticate(request: {
    headers?: Record<string, unknown>;
    ip?: string;
  }): Promise<LimitedAuthentication> {
    const ip = String(request.ip);
    const blocked = this.retryAfterSeconds(ip);
    if (blocked > 0) return { kind: 'blocked', retryAfterSeconds: blocked };
    const outcome = this.keys.authenticate(request);
    if (outcome.kind === 'valid') return outcome;
    const nowBlocked = await this.recordFailure(ip);
    return nowBlocked > 0
      ? { kind: 'blocked', retryAfterSeconds: nowBlocked }
      : outcome;
  }

  /** Seconds until `ip` may authenticate again; 0 when it may now. */
  private retryAfterSeconds(ip: string): number {
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
  private async recordFailure(ip: string): Promise<number> {
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
