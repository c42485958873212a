import type { RedisAvailability } from './redis-availability.js';
import type { RedisClientLike } from './redis-client.js';

/**
 * The Redis shared by the instances, as the cache, single flight and budgets
 * use it: the client, whether it is up, and the key namespace. Every key the
 * library writes is `<namespace>:<feature>:<HMAC or day>`; none holds a name,
 * phone or ID number.
 */
export class SharedRedis {
  constructor(
    readonly client: RedisClientLike,
    readonly availability: RedisAvailability,
    private readonly namespace: string,
    /** True when the library opened the connection (and so closes it). */
    readonly owned: boolean,
  ) {}

  /** A key under the namespace. */
  key(...parts: string[]): string {
    return [this.namespace, ...parts].join(':');
  }

  /**
   * Runs a command while Redis is up; `undefined` when it is away or the
   * command fails (which marks it away until it is ready again).
   */
  async attempt<T>(command: () => Promise<T>): Promise<T | undefined> {
    if (!this.availability.isUp()) return undefined;
    try {
      return await command();
    } catch {
      this.availability.failed();
      return undefined;
    }
  }
}
