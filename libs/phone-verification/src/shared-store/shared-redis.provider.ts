import {
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import {
  PHONE_VERIFICATION_RESOLVED_OPTIONS,
  PHONE_VERIFICATION_SHARED_REDIS,
} from '../phone-verification.constants.js';
import type { ResolvedPhoneVerificationOptions } from '../phone-verification.options.js';
import { RedisAvailability } from './redis-availability.js';
import { connectRedis } from './redis-client.js';
import { SharedRedis } from './shared-redis.js';

/** Connects (or adopts the given client) when `redis` is set; `null` otherwise. */
export const sharedRedisProvider: Provider = {
  provide: PHONE_VERIFICATION_SHARED_REDIS,
  inject: [PHONE_VERIFICATION_RESOLVED_OPTIONS],
  useFactory: async (
    options: ResolvedPhoneVerificationOptions,
  ): Promise<SharedRedis | null> => {
    if (!options.redis) return null;
    const { connection, namespace } = options.redis;
    const client = connection.client ?? (await connectRedis(connection.url));
    return new SharedRedis(
      client,
      new RedisAvailability(client),
      namespace,
      connection.client === undefined,
    );
  },
};

/** Closes the connection the library opened, once the app has drained. */
@Injectable()
export class SharedRedisCloser implements OnApplicationShutdown {
  constructor(
    @Inject(PHONE_VERIFICATION_SHARED_REDIS)
    private readonly shared: SharedRedis | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.shared?.owned) {
      await this.shared.client.quit().catch(() => undefined);
    }
  }
}
