import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { withinDeadline, type RedisClientLike } from '@app/phone-verification';
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

/** How long Redis has to answer (the library's deadline: a busy loop does not count). */
const COMMAND_TIMEOUT_MS = 1_000;
/** While degraded, one request in this long tries Redis again; the others count here. */
const RETRY_AFTER_MS = 250;

/**
 * `@nestjs/throttler` storage shared by every instance on one Redis, so the
 * per-key and per-IP limits hold across replicas. Keys are
 * `<namespace>:throttle:{<throttler>:<tracker>}` (trackers are key digests or
 * IPs). While Redis is away or silent it counts in this instance's memory
 * instead, trying Redis again every quarter second, and logs the switch
 * once each way.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('Throttling');
  private degraded = false;
  private retryAt = 0;

  constructor(
    private readonly client: RedisClientLike,
    private readonly namespace: string,
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
    const base = `${this.namespace}:throttle:{${throttlerName}:${key}}`;
    if (this.degraded && Date.now() < this.retryAt) {
      return this.fallback.increment(
        key,
        ttl,
        limit,
        blockDuration,
        throttlerName,
      );
    }
    try {
      if (this.client.status !== 'ready') throw new Error('redis not ready');
      const reply = (await withinDeadline(
        this.client.eval(
          INCREMENT,
          2,
          base,
          `${base}:blocked`,
          ttl,
          limit,
          blockDuration,
        ),
        COMMAND_TIMEOUT_MS,
      )) as number[];
      this.recovered();
      return {
        totalHits: Number(reply[0]),
        timeToExpire: seconds(Number(reply[1])),
        isBlocked: Number(reply[2]) === 1,
        timeToBlockExpire: seconds(Number(reply[3])),
      };
    } catch {
      this.lost();
      return this.fallback.increment(
        key,
        ttl,
        limit,
        blockDuration,
        throttlerName,
      );
    }
  }

  private lost(): void {
    this.retryAt = Date.now() + RETRY_AFTER_MS;
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn(
      'Redis is unavailable: rate limits are counted per instance until it returns',
    );
  }

  private recovered(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.log('Redis is back: rate limits are shared again');
  }
}
