import { InvalidPhoneVerificationOptionsError } from '../errors/boot.errors.js';
import type {
  RedisAuthOptions,
  RedisConnectionOptions,
  RedisNodeAddress,
} from './redis-client.js';

/** A `host:port` list's entry, checked. */
function nodeAddresses(option: string, given: unknown): string[] {
  const list = Array.isArray(given) ? given : [];
  const ok = list.every(
    (a) =>
      typeof a === 'string' &&
      /^[A-Za-z0-9.:[\]_-]+:\d{1,5}$/.test(a) &&
      Number(a.slice(a.lastIndexOf(':') + 1)) > 0 &&
      Number(a.slice(a.lastIndexOf(':') + 1)) < 65_536,
  );
  if (list.length === 0 || !ok) {
    throw new InvalidPhoneVerificationOptionsError(
      option,
      'must list one or more host:port (e.g. 10.0.0.1:6379,10.0.0.2:6379)',
    );
  }
  return list as string[];
}

/** The credentials and TLS shared by every form but `client`, checked. */
function resolveAuth(redis: RedisConnectionOptions): RedisAuthOptions {
  for (const key of ['username', 'password'] as const) {
    if (redis[key] !== undefined && typeof redis[key] !== 'string') {
      throw new InvalidPhoneVerificationOptionsError(
        `redis.${key}`,
        'must be a string',
      );
    }
  }
  return {
    ...(redis.username ? { username: redis.username } : {}),
    ...(redis.password ? { password: redis.password } : {}),
    ...(redis.tls === true ? { tls: true } : {}),
  };
}

/** A Sentinel-managed primary: its sentinels and the name they monitor, checked. */
function resolveSentinel(sentinel: {
  sentinels?: unknown;
  masterName?: unknown;
}): { sentinels: RedisNodeAddress[]; masterName: string } {
  if (
    typeof sentinel.masterName !== 'string' ||
    !/^[A-Za-z0-9._-]{1,64}$/.test(sentinel.masterName)
  ) {
    throw new InvalidPhoneVerificationOptionsError(
      'redis.sentinel.masterName',
      'must be the name the sentinels monitor (letters, digits, dots, dashes, underscores)',
    );
  }
  return {
    sentinels: nodeAddresses('redis.sentinel.sentinels', sentinel.sentinels),
    masterName: sentinel.masterName,
  };
}

/** Which Redis, checked: exactly one of url, client, cluster or sentinel, with the shared credentials. */
export function resolveConnection(
  redis: RedisConnectionOptions,
): RedisConnectionOptions {
  const forms = {
    url: typeof redis.url === 'string' && redis.url.trim() !== '',
    client:
      typeof redis.client === 'object' &&
      redis.client !== null &&
      typeof redis.client.eval === 'function',
    cluster: 'cluster' in redis && redis.cluster !== undefined,
    sentinel: 'sentinel' in redis && redis.sentinel !== undefined,
  };
  if (Object.values(forms).filter(Boolean).length !== 1) {
    throw new InvalidPhoneVerificationOptionsError(
      'redis',
      'needs exactly one of url (e.g. redis://127.0.0.1:6379), cluster (its nodes), sentinel (its sentinels and master name) or client (an ioredis client)',
    );
  }
  if (forms.client) return { client: redis.client! };
  const auth = resolveAuth(redis);
  if (forms.url) {
    if (!/^rediss?:\/\//.test(redis.url!.trim())) {
      throw new InvalidPhoneVerificationOptionsError(
        'redis.url',
        'must start with redis:// or rediss://',
      );
    }
    return { url: redis.url!.trim(), ...auth };
  }
  if (forms.cluster) {
    const { cluster } = redis as { cluster: { nodes?: unknown } };
    return {
      cluster: { nodes: nodeAddresses('redis.cluster.nodes', cluster.nodes) },
      ...auth,
    };
  }
  const { sentinel } = redis as {
    sentinel: { sentinels?: unknown; masterName?: unknown };
  };
  return { sentinel: resolveSentinel(sentinel), ...auth };
}
