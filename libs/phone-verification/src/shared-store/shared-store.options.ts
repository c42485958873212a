import { InvalidPhoneVerificationOptionsError } from '../errors/boot.errors.js';
import { wholeNumberOption } from '../option-checks.js';
import type { RedisConnectionOptions } from './redis-client.js';
import { resolveConnection } from './redis-connection.options.js';

/** How the single flight across instances is timed (resolved from the options). */
export interface SingleFlightTiming {
  /** A lease's lifetime: the call's whole deadline plus `leaseMarginMs`. Never renewed. */
  readonly leaseMs: number;
  /** The longest a lease may take to take before its leader may call. */
  readonly leaseMarginMs: number;
  /** How often a waiting instance looks for the answer. */
  readonly pollMs: number;
  /** How long an instance waits for another's answer, takeovers included, before giving up. */
  readonly maxWaitMs: number;
}

/**
 * A Redis shared by every instance, for the result cache, single flight and
 * budgets: `{ url }` (one node), `{ cluster: { nodes } }` (a Redis Cluster),
 * `{ sentinel: { sentinels, masterName } }` (a primary Sentinel manages):
 * the library connects with ioredis; or `{ client }` (yours: an ioredis
 * client or Cluster, which you close).
 */
export type RedisOptions = RedisConnectionOptions & {
  /** Prefix of every key. Default `phone-verification`. */
  namespace?: string;
  /**
   * HMAC secret for the shared keys (≥ 32 characters, the same on every
   * instance). Default: `cache.secret`.
   */
  secret?: string;
  /**
   * How long Redis has to answer one command before the store counts as
   * degraded (time in which this process could have read the answer; a busy
   * event loop does not count). Default 1000.
   */
  commandTimeoutMs?: number;
  /** Single flight's timing, in ms. The lease's lifetime follows from the call's whole deadline. */
  singleFlight?: SingleFlightOptions;
};

/** How single flight across instances is timed. */
export interface SingleFlightOptions {
  /**
   * Added to the call's whole deadline (timeout, retries and back-off) to
   * make the lease's lifetime; a leader whose lease took longer than this to
   * take does not call. Default 2000.
   */
  leaseMarginMs?: number;
  /** How often a waiting instance looks for the answer. Default 20. */
  pollMs?: number;
  /** How long an instance waits for another's answer in all. Default: lease + one call. */
  maxWaitMs?: number;
}

/** The shared store after validation. */
export interface ResolvedRedisOptions {
  readonly connection: RedisConnectionOptions;
  readonly namespace: string;
  readonly secret: string;
  readonly commandTimeoutMs: number;
  readonly singleFlight: SingleFlightTiming;
}

/**
 * Validates `redis`; `false` when none is set. `callMs` is the longest a
 * verification's upstream call can last, retries included.
 */
export function resolveRedis(
  redis: RedisOptions | undefined,
  cacheSecret: string | undefined,
  callMs: number,
): ResolvedRedisOptions | false {
  if (redis === undefined) return false;
  const connection = resolveConnection(redis);
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
  const margin = wholeNumberOption(
    'redis.singleFlight.leaseMarginMs',
    timing.leaseMarginMs ?? 2_000,
    100,
    600_000,
  );
  // The invariant: a lease outlives every call its leader can make.
  const leaseMs = callMs + margin;
  return {
    connection,
    namespace,
    secret,
    commandTimeoutMs: wholeNumberOption(
      'redis.commandTimeoutMs',
      redis.commandTimeoutMs ?? 1_000,
      10,
      60_000,
    ),
    singleFlight: {
      leaseMs,
      leaseMarginMs: margin,
      pollMs: wholeNumberOption(
        'redis.singleFlight.pollMs',
        timing.pollMs ?? 20,
        1,
        10_000,
      ),
      maxWaitMs: wholeNumberOption(
        'redis.singleFlight.maxWaitMs',
        timing.maxWaitMs ?? leaseMs + callMs,
        1,
        3_600_000,
      ),
    },
  };
}
