import { Logger } from '@nestjs/common';
import type { RedisClientLike } from './redis-client.js';

/**
 * Whether Redis is usable right now, from the client's own events. While it
 * is away the cache is skipped, single flight is per instance and budgets
 * fail closed (or open, if configured); each change is logged once, not per
 * request, and counted for metrics.
 */
export class RedisAvailability {
  private readonly logger = new Logger('PhoneVerificationRedis');
  private up: boolean;
  private fallbacks = 0;

  constructor(private readonly client: RedisClientLike) {
    this.up = client.status === 'ready';
    client.on('ready', () => this.mark(true));
    client.on('end', () => this.mark(false));
    client.on('close', () => this.mark(false));
    client.on('error', () => this.mark(false));
  }

  /** True while commands can be sent. */
  isUp(): boolean {
    return this.up && this.client.status === 'ready';
  }

  /** How many times the shared store was found unavailable since start. */
  fallbackCount(): number {
    return this.fallbacks;
  }

  /** Records that a command failed: Redis is treated as away until `ready`. */
  failed(): void {
    this.mark(false);
  }

  private mark(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    if (up) {
      this.logger.log(
        'Redis is back: cache, single flight and budgets are shared again',
      );
    } else {
      this.fallbacks++;
      this.logger.warn(
        'Redis is unavailable: cache skipped, single flight per instance, budgets (if set) refuse billed calls until it returns',
      );
    }
  }
}
