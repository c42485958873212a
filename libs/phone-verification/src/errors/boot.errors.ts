// Errors that stop an app at boot, before any verification: unusable
// options or environment, and a Redis or a ledger's store that the library
// cannot use safely. Each names what to change.

/** Thrown at boot when the module's options are unusable; names the option. */
export class InvalidPhoneVerificationOptionsError extends Error {
  constructor(
    readonly option: string,
    /** What is wrong with it, without the option's name. */
    readonly problem: string,
  ) {
    super(`PhoneVerificationModule: option "${option}" ${problem}`);
    this.name = 'InvalidPhoneVerificationOptionsError';
  }
}

/** Thrown when an environment variable holds an unusable value; names it. */
export class InvalidPhoneVerificationEnvError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'InvalidPhoneVerificationEnvError';
  }
}

/** Thrown at boot when budgets are on and Redis may evict their counters. */
export class UnsafeEvictionPolicyError extends Error {
  constructor(policy: string) {
    super(
      `PhoneVerificationModule: Redis's maxmemory-policy is ${policy}, which can evict budget counters and single-flight leases (a day's spend would start again, an identity could be paid for twice). ` +
        'Budgets need maxmemory-policy noeviction (CONFIG SET maxmemory-policy noeviction), or a Redis of their own, with persistence (appendonly yes).',
    );
    this.name = 'UnsafeEvictionPolicyError';
  }
}

/** A single node given as `url` turned out to be a Cluster node: its keys would answer `MOVED`. */
export class RedisClusterNodeAsUrlError extends Error {
  constructor() {
    super(
      'The Redis at REDIS_URL (redis.url) is a Redis Cluster node: most keys would answer MOVED and the store would run unshared. ' +
        "Give the cluster's nodes instead: REDIS_CLUSTER_NODES=host:port,host:port (redis.cluster.nodes).",
    );
    this.name = 'RedisClusterNodeAsUrlError';
  }
}

/**
 * PGlite's folder belongs to one process; a second one opening it (two
 * replicas on one machine without `DATABASE_URL`) would corrupt it.
 */
export class EmbeddedLedgerInUseError extends Error {
  /** The holder's pid (0 when its lock file says nothing readable). */
  readonly pid: number;

  constructor(
    dataDir: string,
    /** Who holds it, in words (`process 42 on this machine`). */
    holder: string,
    pid = 0,
  ) {
    super(
      `The embedded ledger in ${dataDir} is in use by ${holder}: ` +
        'one process per folder. Several replicas share a PostgreSQL ledger (DATABASE_URL) instead.',
    );
    this.name = 'EmbeddedLedgerInUseError';
    this.pid = pid;
  }
}
