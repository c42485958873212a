import type { RedisClientLike } from './redis-client.js';

/**
 * Redis's `maxmemory-policy`, read at connect. Only `noeviction` keeps every
 * key the library relies on: under the `volatile-*` policies the keys with
 * an expiry go first (single-flight leases and budget counters among them,
 * the shortest-lived first), and under `allkeys-*` any key can go. A lost
 * lease lets a second replica call for an identity already being paid for;
 * a lost budget counter starts the day's count again.
 */
export interface EvictionPolicy {
  /** The policy's name, or `undefined` when Redis would not say (managed Redis often refuses `CONFIG`). */
  readonly name?: string;
  /** True for `noeviction`, false for any evicting policy, undefined when unknown. */
  readonly safe?: boolean;
}

/** Reads `maxmemory-policy`; unknown when the client or the server will not tell. */
export async function readEvictionPolicy(
  client: RedisClientLike,
  run: <T>(command: Promise<T>) => Promise<T>,
): Promise<EvictionPolicy> {
  if (typeof client.config !== 'function') return {};
  try {
    const reply = await run(client.config('GET', 'maxmemory-policy'));
    const name = Array.isArray(reply) ? reply[1] : undefined;
    if (typeof name !== 'string') return {};
    return { name, safe: name === 'noeviction' };
  } catch {
    return {};
  }
}
