import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { closeRedis, type RedisClientLike } from '@app/phone-verification';

/** The app's Redis connection (REDIS_URL), closed after the HTTP server drained. */
export class AppRedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('SharedStore');

  constructor(readonly client: RedisClientLike) {}

  async onApplicationShutdown(): Promise<void> {
    await closeRedis(this.client);
    this.logger.log('Redis connection closed');
  }
}
