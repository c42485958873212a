import { withinDeadline } from './command-deadline.js';

/**
 * The few Redis commands the library uses, as ioredis (5 or 6) spells them.
 * An `ioredis` client fits it; so can any client wrapped to this shape.
 */
export interface RedisClientLike {
  get(key: string): Promise<string | null>;
  set(
    key: string,
    value: string,
    px: 'PX',
    ttlMs: number,
    nx?: 'NX',
  ): Promise<string | null>;
  eval(
    script: string,
    numberOfKeys: number,
    ...keysAndArgs: Array<string | number>
  ): Promise<unknown>;
  /**
   * `CONFIG GET maxmemory-policy`, to check that budget counters and leases
   * cannot be evicted. Optional: without it (or when the server refuses, as
   * managed Redis often does) the policy is reported unknown.
   */
  config?(subcommand: 'GET', parameter: string): Promise<unknown>;
  /** `ready` when commands can run. */
  readonly status: string;
  on(event: 'ready' | 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quit(): Promise<unknown>;
  /** Drops the connection at once (when `quit` gets no answer). */
  disconnect?(): void;
}

/**
 * Closes a connection politely (`QUIT`), or drops it when Redis does not
 * answer within `timeoutMs`: a stalled Redis must not hold up a shutdown.
 */
export async function closeRedis(
  client: RedisClientLike,
  timeoutMs = 1_000,
): Promise<void> {
  await withinDeadline(client.quit(), timeoutMs).catch(() =>
    client.disconnect?.(),
  );
}

/** How the library reaches Redis: a URL (it connects) or your client. */
export type RedisConnectionOptions =
  | { readonly url: string; readonly client?: undefined }
  | { readonly client: RedisClientLike; readonly url?: undefined };

/** How long {@link connectRedis} waits for the first `ready` by default. */
export const REDIS_READY_TIMEOUT_MS = 2_000;

/**
 * Connects with ioredis (an optional peer dependency, loaded only when a URL
 * is given) and waits until the connection is ready, for at most
 * `readyTimeoutMs`, so an app does not take its first requests while the
 * shared store's state is unknown (they would be cached, single-flighted and
 * budgeted per instance). A Redis still away then is reported down, and the
 * app runs on its per-instance fallback until it comes back. Commands fail
 * fast while Redis is away (no offline queue, one try), so callers can fall
 * back at once; ioredis reconnects by itself. There is no `commandTimeout`:
 * its timer cannot tell a silent Redis from a busy event loop, so the
 * library times each command itself (`withinDeadline`).
 */
export async function connectRedis(
  url: string,
  { readyTimeoutMs = REDIS_READY_TIMEOUT_MS } = {},
): Promise<RedisClientLike> {
  let Redis: typeof import('ioredis').Redis;
  try {
    ({ Redis } = await import('ioredis'));
  } catch {
    throw new Error(
      'PhoneVerificationModule: option "redis.url" needs the ioredis package (npm install ioredis)',
    );
  }
  const client = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 2_000),
  });
  // Errors are reported through the state tracker; unhandled, they'd crash.
  client.on('error', () => undefined);
  await new Promise<void>((done) => {
    const timer = setTimeout(done, readyTimeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      done();
    });
  });
  return client as unknown as RedisClientLike;
}
