import { Logger } from '@nestjs/common';
import { withinDeadline } from './command-deadline.js';
import type { EvictionPolicy } from './eviction-policy.js';
import { readEvictionPolicy } from './eviction-policy.js';
import type {
  RedisAvailability,
  SharedStoreState,
} from './redis-availability.js';
import type { RedisClientLike } from './redis-client.js';

/** What readiness shows of the shared store. */
export interface SharedStoreHealth {
  readonly state: SharedStoreState;
  /** Why it is not up: the error Redis answered, a socket's code, or `timeout`. */
  readonly reason?: string;
  /** `maxmemory-policy`, or `unknown` when Redis would not say. */
  readonly evictionPolicy: string;
  /** False when the policy can evict leases and budget counters; undefined when unknown. */
  readonly evictionSafe?: boolean;
}

/**
 * The library's Redis handle, for an app that keeps its own shared state on
 * the same Redis (a rate limiter's counters): one connection, one view of
 * whether Redis is usable (the library's), one command deadline. Inject it with
 * `@Inject(PHONE_VERIFICATION_SHARED_STORE)`; it is `null` without `redis`.
 */
export interface PhoneVerificationSharedStore {
  /** The connection (opened by the library from `redis`, or the one you gave). */
  readonly client: RedisClientLike;
  /** `<namespace>:<parts…>`: keys beside the library's, under its namespace. */
  key(...parts: string[]): string;
  /** True while Redis is in use (what readiness calls shared). */
  isUp(): boolean;
  /**
   * Runs `command` under the shared deadline while Redis is up; `undefined`
   * at once when it is not, or when the command fails or times out. Only
   * the library's own commands and its probe judge whether Redis is up: a
   * command of yours that fails falls back alone, it never makes budgets
   * refuse billed calls.
   */
  attempt<T>(command: () => Promise<T>): Promise<T | undefined>;
}

/** The public handle of the library's `SharedRedis` (see {@link PhoneVerificationSharedStore}). */
export function sharedStoreHandle(
  shared: SharedRedis,
): PhoneVerificationSharedStore {
  return {
    client: shared.client,
    key: (...parts) => shared.key(...parts),
    isUp: () => shared.availability.isUp(),
    attempt: async (command) => {
      if (!shared.availability.isUp()) return undefined;
      return shared.timed(command()).catch(() => undefined);
    },
  };
}

/**
 * The Redis shared by the instances, as the cache, single flight and budgets
 * use it: the client, whether it is up, the key namespace, and one deadline
 * for every command. Every key the library writes is
 * `<namespace>:<feature>:<HMAC or day>`; none holds a name, phone or ID
 * number.
 */
export class SharedRedis {
  private readonly logger = new Logger('PhoneVerificationRedis');
  private policy: EvictionPolicy = {};
  private policyLogged?: string;

  constructor(
    readonly client: RedisClientLike,
    readonly availability: RedisAvailability,
    private readonly namespace: string,
    /** True when the library opened the connection (and so closes it). */
    readonly owned: boolean,
    /** How long Redis has to answer a command (counted while we could read it). */
    readonly commandTimeoutMs: number,
  ) {}

  /** A key under the namespace. */
  key(...parts: string[]): string {
    return [this.namespace, ...parts].join(':');
  }

  /** `command` under the shared deadline (see `withinDeadline`). */
  timed<T>(command: Promise<T>): Promise<T> {
    return withinDeadline(command, this.commandTimeoutMs);
  }

  /**
   * Runs a command while Redis is up; `undefined` when it is not, or when
   * the command fails or times out (which marks the store degraded until a
   * probe succeeds).
   */
  attempt<T>(command: () => Promise<T>): Promise<T | undefined> {
    return this.run(command).catch(() => undefined);
  }

  /** Like `attempt`, but throws when Redis is not up or the command fails. */
  async run<T>(command: () => Promise<T>): Promise<T> {
    if (!this.availability.isUp()) throw new Error('Redis is not available');
    try {
      return await this.timed(command());
    } catch (error) {
      this.availability.failed(error);
      throw error;
    }
  }

  /** Reads `maxmemory-policy` again (at connect and after each reconnect), warning once per evicting value. */
  async checkEvictionPolicy(): Promise<EvictionPolicy> {
    this.policy = await readEvictionPolicy(this.client, (c) => this.timed(c));
    const name = this.policy.name ?? 'unknown';
    if (this.policyLogged !== name) {
      this.policyLogged = name;
      if (this.policy.safe === false) {
        this.logger.warn(
          `Redis's maxmemory-policy is ${name}: it can evict single-flight leases and budget counters. Use noeviction (or a Redis of the library's own).`,
        );
      } else if (this.policy.safe === undefined) {
        this.logger.warn(
          "Could not read Redis's maxmemory-policy (CONFIG refused, as managed Redis often does): make sure it is noeviction",
        );
      }
    }
    return this.policy;
  }

  /** State and eviction policy, for readiness. */
  health(): SharedStoreHealth {
    return {
      state: this.availability.state(),
      reason: this.availability.reason(),
      evictionPolicy: this.policy.name ?? 'unknown',
      evictionSafe: this.policy.safe,
    };
  }
}
