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

/** `host:port` of a Cluster node or a Sentinel. */
export type RedisNodeAddress = string;

/**
 * Credentials and TLS for `cluster` and `sentinel` (a `url` carries its own:
 * `rediss://user:password@host:port`), the same for every node.
 */
export interface RedisAuthOptions {
  readonly username?: string;
  readonly password?: string;
  /** TLS to every node (`rediss`). */
  readonly tls?: boolean;
}

/**
 * How the library reaches Redis: a single node's `url`, a Redis Cluster
 * (`cluster.nodes`: seed nodes, the rest is discovered), a primary managed
 * by Sentinel (`sentinel.sentinels` and its `masterName`), or your `client`.
 */
export type RedisConnectionOptions = RedisAuthOptions &
  (
    | { readonly url: string; readonly client?: undefined }
    | { readonly client: RedisClientLike; readonly url?: undefined }
    | {
        readonly cluster: { readonly nodes: readonly RedisNodeAddress[] };
        readonly url?: undefined;
        readonly client?: undefined;
      }
    | {
        readonly sentinel: {
          readonly sentinels: readonly RedisNodeAddress[];
          readonly masterName: string;
        };
        readonly url?: undefined;
        readonly client?: undefined;
      }
  );

/** Where to connect: every form but your own client. */
export type RedisTarget = Exclude<
  RedisConnectionOptions,
  { readonly client: RedisClientLike }
>;
