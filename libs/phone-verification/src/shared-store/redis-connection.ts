import { RedisClusterNodeAsUrlError } from '../errors/boot.errors.js';
import { withinDeadline } from './command-deadline.js';
import type {
  RedisClientLike,
  RedisNodeAddress,
  RedisTarget,
} from './redis-client.js';

/** The last error of each client {@link connectRedis} opened, for the tracker that comes after. */
const lastErrors = new WeakMap<object, Error>();

/** The last error `client` emitted since {@link connectRedis} opened it; none if it never failed. */
export function lastErrorOf(client: RedisClientLike): Error | undefined {
  return lastErrors.get(client);
}

/** Clients being closed on purpose: they stay closed. */
const closing = new WeakSet<object>();

/** Sentinel clients {@link connectRedis} opened (their failover detector has connections of its own). */
const sentinelClients = new WeakSet<object>();

/**
 * Closes a connection politely (`QUIT`), or drops it when Redis does not
 * answer within `timeoutMs`: a stalled Redis must not hold up a shutdown.
 * A Sentinel client is dropped after its `QUIT` too: ioredis leaves its
 * failover detector subscribed to the sentinels, reconnecting to them for
 * ever, and the process would not exit.
 */
export async function closeRedis(
  client: RedisClientLike,
  timeoutMs = 1_000,
): Promise<void> {
  closing.add(client);
  const quit = await withinDeadline(client.quit(), timeoutMs).then(
    () => true,
    () => false,
  );
  if (!quit || sentinelClients.has(client)) client.disconnect?.();
}

/** Reconnecting: 100 ms more each try, 2 s at most. */
const backOff = (attempt: number) => Math.min(100 * attempt, 2_000);

/** How long {@link connectRedis} waits for the first `ready` by default. */
export const REDIS_READY_TIMEOUT_MS = 2_000;

const hostPort = (address: RedisNodeAddress) => {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
};

/** Whether the server behind a single-node client runs in cluster mode. */
async function isClusterNode(client: {
  info(section: string): Promise<string>;
}): Promise<boolean> {
  try {
    return /^cluster_enabled:1/m.test(await client.info('cluster'));
  } catch {
    // INFO refused (renamed on some managed servers): nothing to tell.
    return false;
  }
}

/** The ioredis classes, loaded when the library connects. */
interface IoRedis {
  readonly Redis: typeof import('ioredis').Redis;
  readonly Cluster: typeof import('ioredis').Cluster;
}

/** An ioredis client for `given`, connecting: fail-fast commands, backed-off reconnects. */
function newClient(
  { Redis, Cluster }: IoRedis,
  given: RedisTarget,
): InstanceType<typeof Redis> | InstanceType<typeof Cluster> {
  const failFast = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
  };
  const auth = {
    ...(given.username ? { username: given.username } : {}),
    ...(given.password ? { password: given.password } : {}),
    ...(given.tls ? { tls: {} } : {}),
  };
  if ('cluster' in given && given.cluster) {
    return new Cluster(given.cluster.nodes.map(hostPort), {
      enableOfflineQueue: false,
      clusterRetryStrategy: backOff,
      slotsRefreshTimeout: 2_000,
      redisOptions: { ...failFast, ...auth },
    });
  }
  if ('sentinel' in given && given.sentinel) {
    const client = new Redis({
      ...failFast,
      ...auth,
      sentinels: given.sentinel.sentinels.map(hostPort),
      name: given.sentinel.masterName,
      sentinelRetryStrategy: backOff,
      retryStrategy: backOff,
      // A demoted primary answers writes with READONLY: find the new one.
      reconnectOnError: (error: Error) => error.message.startsWith('READONLY'),
      failoverDetector: true,
    });
    restartWhenEnded(client);
    sentinelClients.add(client);
    return client;
  }
  return new Redis(given.url!, {
    ...failFast,
    ...auth,
    lazyConnect: false,
    retryStrategy: backOff,
  });
}

/**
 * ioredis ends a Sentinel client for good when a failover is announced while
 * it reconnects (the detector closes the connector mid-lookup): it is started
 * again, unless it is being closed.
 */
function restartWhenEnded(client: {
  on(event: 'end', listener: () => void): unknown;
  connect(): Promise<unknown>;
}): void {
  client.on('end', () => {
    if (closing.has(client)) return;
    setTimeout(() => {
      if (closing.has(client)) return;
      client.connect().catch(() => undefined);
    }, backOff(1)).unref();
  });
}

/**
 * Connects with ioredis (an optional peer dependency, loaded only when the
 * library connects) to a single node, a Cluster or a Sentinel-managed
 * primary, and waits until the connection is ready, for at most
 * `readyTimeoutMs`, so an app does not take its first requests while the
 * shared store's state is unknown (they would be cached, single-flighted and
 * budgeted per instance). A Redis still away then is reported down, and the
 * app runs on its per-instance fallback until it comes back. Commands fail
 * fast while Redis is away (no offline queue, one try), so callers can fall
 * back at once; ioredis reconnects by itself, follows a Cluster's slots
 * (`MOVED`) and a Sentinel's new primary. There is no `commandTimeout`:
 * its timer cannot tell a silent Redis from a busy event loop, so the
 * library times each command itself (`withinDeadline`). A `url` that leads
 * to a Cluster node is refused ({@link RedisClusterNodeAsUrlError}).
 */
export async function connectRedis(
  target: RedisTarget | string,
  { readyTimeoutMs = REDIS_READY_TIMEOUT_MS } = {},
): Promise<RedisClientLike> {
  let ioredis: IoRedis;
  try {
    const { Redis, Cluster } = await import('ioredis');
    ioredis = { Redis, Cluster };
  } catch {
    throw new Error(
      'PhoneVerificationModule: option "redis" needs the ioredis package (npm install ioredis)',
    );
  }
  const { Cluster } = ioredis;
  const given: RedisTarget =
    typeof target === 'string' ? { url: target } : target;
  const client = newClient(ioredis, given);
  // Errors are reported through the state tracker; unhandled, they'd crash.
  // The last one before the tracker exists is kept for it (why not ready).
  client.on('error', (error: Error) => lastErrors.set(client, error));
  await new Promise<void>((done) => {
    const timer = setTimeout(done, readyTimeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      done();
    });
  });
  if (!(client instanceof Cluster) && 'url' in given && given.url) {
    const single = client;
    const refuse = async (): Promise<boolean> => {
      if (!(await isClusterNode(single))) return false;
      // Said where the store's state is kept (its reason), then dropped.
      single.emit('error', new RedisClusterNodeAsUrlError());
      single.disconnect();
      return true;
    };
    if (client.status === 'ready' && (await refuse())) {
      throw new RedisClusterNodeAsUrlError();
    }
    // Not reached yet: checked when it is (and stays down if it is one).
    client.on('ready', () => void refuse());
  }
  return client as unknown as RedisClientLike;
}
