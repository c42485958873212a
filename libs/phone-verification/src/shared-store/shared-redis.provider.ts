import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import {
  PHONE_VERIFICATION_RESOLVED_OPTIONS,
  PHONE_VERIFICATION_SHARED_REDIS,
  PHONE_VERIFICATION_SHARED_STORE,
} from '../phone-verification.constants.js';
import type { ResolvedPhoneVerificationOptions } from '../phone-verification.options.js';
import { withinDeadline } from './command-deadline.js';
import { UnsafeEvictionPolicyError } from '../errors/boot.errors.js';
import { RedisAvailability } from './redis-availability.js';
import type { RedisTarget } from './redis-client.js';
import { closeRedis, connectRedis, lastErrorOf } from './redis-connection.js';
import { SharedRedis, sharedStoreHandle } from './shared-redis.js';

/** How often a store that is not up is probed. */
const PROBE_INTERVAL_MS = 250;

/**
 * Connects (or adopts the given client) when `redis` is set; `null`
 * otherwise. Reads the eviction policy at connect and after each reconnect;
 * with budgets on, an evicting policy refuses to start.
 */
export const sharedRedisProvider: Provider = {
  provide: PHONE_VERIFICATION_SHARED_REDIS,
  inject: [PHONE_VERIFICATION_RESOLVED_OPTIONS],
  useFactory: async (
    options: ResolvedPhoneVerificationOptions,
  ): Promise<SharedRedis | null> => {
    if (!options.redis) return null;
    const { connection, namespace, commandTimeoutMs } = options.redis;
    const client =
      connection.client ?? (await connectRedis(connection as RedisTarget));
    // Each instance probes its own short-lived key: a write, so OOM counts.
    const probeKey = `${namespace}:probe:${randomUUID()}`;
    const availability = new RedisAvailability(
      client,
      {
        run: () =>
          withinDeadline(
            client.set(probeKey, '1', 'PX', 5_000),
            commandTimeoutMs,
          ),
        intervalMs: PROBE_INTERVAL_MS,
      },
      // Not ready at start: why, from the connection's last error (NOAUTH…).
      lastErrorOf(client),
    );
    const shared = new SharedRedis(
      client,
      availability,
      namespace,
      connection.client === undefined,
      commandTimeoutMs,
    );
    const policy = await shared.checkEvictionPolicy();
    if (options.budget && policy.safe === false) {
      availability.stop();
      if (shared.owned) await closeRedis(client);
      throw new UnsafeEvictionPolicyError(policy.name!);
    }
    client.on('ready', () => void shared.checkEvictionPolicy());
    return shared;
  },
};

/** The library's Redis handle for the app (`null` without `redis`). */
export const sharedStoreProvider: Provider = {
  provide: PHONE_VERIFICATION_SHARED_STORE,
  inject: [PHONE_VERIFICATION_SHARED_REDIS],
  useFactory: (shared: SharedRedis | null) =>
    shared ? sharedStoreHandle(shared) : null,
};

/** Stops probing and closes the connection the library opened, once the app has drained. */
@Injectable()
export class SharedRedisCloser implements OnApplicationShutdown {
  constructor(
    @Inject(PHONE_VERIFICATION_SHARED_REDIS)
    private readonly shared: SharedRedis | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.shared?.availability.stop();
    if (this.shared?.owned) await closeRedis(this.shared.client);
  }
}
