import { InvalidPhoneVerificationOptionsError } from '../phone-verification-options.error.js';
import type { SingleFlightTiming } from '../resilience/redis-single-flight.js';
import type { RedisConnectionOptions } from './redis-client.js';

/**
 * A Redis shared by every instance, for the result cache, single flight and
 * budgets: `{ url }` (the library connects with ioredis) or `{ client }`
 * (yours: an ioredis client, which you close).
 */
export type RedisOptions = RedisConnectionOptions & {
  /** Prefix of every key. Default `phone-verification`. */
  namespace?: string;
  /**
   * HMAC secret for the shared keys (≥ 32 characters, the same on every
   * instance). Default: `cache.secret`.
   */
  secret?: string;
  /** Single flight's lease, polling and longest wait, in ms. */
  singleFlight?: Partial<SingleFlightTiming>;
};

/** The shared store after validation. */
export interface ResolvedRedisOptions {
  readonly connection: RedisConnectionOptions;
  readonly namespace: string;
  readonly secret: string;
  readonly singleFlight: SingleFlightTiming;
}

/** Validates `redis`; `false` when none is set. */
export function resolveRedis(
  redis: RedisOptions | undefined,
  cacheSecret: string | undefined,
  callMs: number,
): ResolvedRedisOptions | false {
  if (redis === undefined) return false;
  const hasUrl = typeof redis.url === 'string' && redis.url.trim() !== '';
  const hasClient =
    typeof redis.client === 'object' &&
    redis.client !== null &&
    typeof redis.client.eval === 'function';
  if (hasUrl === hasClient) {
    throw new InvalidPhoneVerificationOptionsError(
      'redis',
      'needs exactly one of url (e.g. redis://127.0.0.1:6379) or client (an ioredis client)',
    );
  }
  if (hasUrl && !/^rediss?:\/\//.test(redis.url!.trim())) {
    throw new InvalidPhoneVerificationOptionsError(
      'redis.url',
      'must start with redis:// or rediss://',
    );
  }
  const secret = redis.secret ?? cacheSecret ?? '';
  if (typeof secret !== 'string' || secret.length < 32) {
    throw new InvalidPhoneVerificationOptionsError(
      'redis.secret',
      'must be at least 32 characters, the same on every instance (or set cache.secret)',
    );
  }
  const namespace = redis.namespace ?? 'phone-verification';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(namespace)) {
    throw new InvalidPhoneVerificationOptionsError(
      'redis.namespace',
      'must be 1 to 64 letters, digits, dots, dashes or underscores',
    );
  }
  const timing = redis.singleFlight ?? {};
  return {
    connection: hasUrl ? { url: redis.url!.trim() } : { client: redis.client! },
    namespace,
    secret,
    singleFlight: {
      leaseMs: timing.leaseMs ?? 5_000,
      pollMs: timing.pollMs ?? 20,
      maxWaitMs: timing.maxWaitMs ?? callMs + 5_000,
    },
  };
}
