import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { PhoneVerificationSharedStore } from '@app/phone-verification';
import type { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage.js';

type ThrottlerRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * One fixed window per key and throttler, counted atomically in Redis, with
 * the same rules as {@link FixedWindowThrottlerStorage}: while blocked, hits
 * are not counted. KEYS: hits, block; ARGV: ttl ms, limit, block ms.
 * Returns hits, the window's ms left, blocked (0/1), the block's ms left.
 */
const INCREMENT = `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1]), 1, blockLeft}
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, left, 1, tonumber(ARGV[3])}
end
return {hits, left, 0, 0}`;

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/**
 * `@nestjs/throttler` storage shared by every instance on one Redis, so the
 * per-key and per-IP limits hold across replicas, on the library's Redis
 * handle: its connection, its command deadline and its one view of whether
 * Redis is usable (what readiness reports as shared). Keys are
 * `<namespace>:throttle:{<throttler>:<tracker>}` (trackers are key digests or
 * IPs). While the handle says Redis is not up, or a command fails, it
 * counts in this instance's memory instead, and logs the switch once each
 * way; it counts in Redis again as soon as the library's probe finds it back.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('Throttling');
  private degraded = false;

  constructor(
    private readonly store: PhoneVerificationSharedStore,
    private readonly fallback: FixedWindowThrottlerStorage,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerRecord> {
    // One hash slot for both keys (the `{…}` tag): a Redis Cluster runs
    // the script where they live, not CROSSSLOT.
    const base = this.store.key('throttle', `{${throttlerName}:${key}}`);
    const reply = (await this.store.attempt(() =>
      this.store.client.eval(
        INCREMENT,
        2,
        base,
        `${base}:blocked`,
        ttl,
        limit,
        blockDuration,
      ),
    )) as number[] | undefined;
    if (!reply) {
      this.switchTo(true);
      return this.fallback.increment(
        key,
        ttl,
        limit,
        blockDuration,
        throttlerName,
      );
    }
    this.switchTo(false);
    return {
      totalHits: Number(reply[0]),
      timeToExpire: seconds(Number(reply[1])),
      isBlocked: Number(reply[2]) === 1,
      timeToBlockExpire: seconds(Number(reply[3])),
    };
  }

  private switchTo(degraded: boolean): void {
    if (this.degraded === degraded) return;
    this.degraded = degraded;
    if (degraded) {
      this.logger.warn(
        'Redis is unavailable: rate limits are counted per instance until it returns',
      );
    } else {
      this.logger.log('Redis is back: rate limits are shared again');
    }
  }
}
