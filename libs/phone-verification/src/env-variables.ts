import { InvalidPhoneVerificationEnvError } from './errors/boot.errors.js';
import type { CircuitBreakerOptions } from './resilience/circuit-breaker.options.js';
import type { BudgetOptions } from './budget/budget.options.js';
import type { ResultCodeOverrides } from './acedata/result-codes.options.js';
import type { RedisOptions } from './shared-store/shared-store.options.js';

// The library's variables, section by section, for
// `phoneVerificationOptionsFromEnv` (the ledger's are in `ledger/ledger-env.ts`).

/** The environment variable behind each option that one can set. */
const VARIABLES: Readonly<Record<string, string>> = {
  apiToken: 'ACEDATA_API_TOKEN',
  baseUrl: 'ACEDATA_BASE_URL',
  timeoutMs: 'ACEDATA_TIMEOUT_MS',
  'retry.maxAttempts': 'PHONE_VERIFICATION_RETRY_MAX_ATTEMPTS',
  'pacing.callsPerSecond': 'PHONE_VERIFICATION_CALLS_PER_SECOND',
  'circuitBreaker.failureRate': 'PHONE_VERIFICATION_BREAKER_FAILURE_RATE',
  'circuitBreaker.minimumCalls': 'PHONE_VERIFICATION_BREAKER_MIN_CALLS',
  'circuitBreaker.windowMs': 'PHONE_VERIFICATION_BREAKER_WINDOW_MS',
  'circuitBreaker.consecutiveFailures':
    'PHONE_VERIFICATION_BREAKER_CONSECUTIVE_FAILURES',
  'circuitBreaker.cooldownMs': 'PHONE_VERIFICATION_BREAKER_COOLDOWN_MS',
  'cache.ttlMs': 'PHONE_VERIFICATION_CACHE_TTL_MS',
  'cache.secret': 'PHONE_VERIFICATION_CACHE_SECRET',
  'encryption.dataKey': 'ACEDATA_DATA_KEY',
  'encryption.ciphertextBlob': 'ACEDATA_CIPHERTEXT_BLOB',
  redis: 'REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS',
  'redis.url': 'REDIS_URL',
  'redis.cluster.nodes': 'REDIS_CLUSTER_NODES',
  'redis.sentinel.sentinels': 'REDIS_SENTINELS',
  'redis.sentinel.masterName': 'REDIS_SENTINEL_MASTER',
  'redis.username': 'REDIS_USERNAME',
  'redis.password': 'REDIS_PASSWORD',
  'redis.secret': 'PHONE_VERIFICATION_KEY_SECRET',
  'redis.namespace': 'PHONE_VERIFICATION_REDIS_NAMESPACE',
  'budget.maxBilledPerDay': 'PHONE_VERIFICATION_DAILY_BUDGET',
  'budget.perKey.maxBilledPerDay': 'PHONE_VERIFICATION_DAILY_BUDGET_PER_KEY',
};

export function text(
  env: NodeJS.ProcessEnv,
  variable: string,
): string | undefined {
  const raw = env[variable]?.trim();
  return raw ? raw : undefined;
}

export function numeric(
  env: NodeJS.ProcessEnv,
  variable: string,
): number | undefined {
  const raw = text(env, variable);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    throw new InvalidPhoneVerificationEnvError(
      variable,
      `must be a number (got "${raw.slice(0, 20)}")`,
    );
  }
  return value;
}

/** A comma-separated list, blanks dropped. */
function list(env: NodeJS.ProcessEnv, variable: string): string[] | undefined {
  const raw = text(env, variable);
  return raw === undefined
    ? undefined
    : raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
}

/**
 * The shared store: `REDIS_URL` (one node), `REDIS_CLUSTER_NODES` (a
 * Cluster's seed nodes) or `REDIS_SENTINELS` with `REDIS_SENTINEL_MASTER`,
 * and for the last two `REDIS_USERNAME`, `REDIS_PASSWORD`, `REDIS_TLS=on`.
 */
export function redisFrom(env: NodeJS.ProcessEnv): RedisOptions | undefined {
  const url = text(env, 'REDIS_URL');
  const nodes = list(env, 'REDIS_CLUSTER_NODES');
  const sentinels = list(env, 'REDIS_SENTINELS');
  if (url === undefined && nodes === undefined && sentinels === undefined)
    return undefined;
  const tls = text(env, 'REDIS_TLS')?.toLowerCase();
  if (tls !== undefined && tls !== 'on' && tls !== 'off') {
    throw new InvalidPhoneVerificationEnvError(
      'REDIS_TLS',
      'must be on or off',
    );
  }
  const masterName = text(env, 'REDIS_SENTINEL_MASTER');
  if (sentinels !== undefined && masterName === undefined) {
    throw new InvalidPhoneVerificationEnvError(
      'REDIS_SENTINEL_MASTER',
      'must name the primary the sentinels monitor (with REDIS_SENTINELS)',
    );
  }
  return {
    ...(url !== undefined ? { url } : {}),
    ...(nodes !== undefined ? { cluster: { nodes } } : {}),
    ...(sentinels !== undefined
      ? { sentinel: { sentinels, masterName: masterName! } }
      : {}),
    username: text(env, 'REDIS_USERNAME'),
    password: text(env, 'REDIS_PASSWORD'),
    tls: tls === 'on',
    namespace: text(env, 'PHONE_VERIFICATION_REDIS_NAMESPACE'),
    secret:
      env.PHONE_VERIFICATION_KEY_SECRET ?? env.PHONE_VERIFICATION_CACHE_SECRET,
  } as RedisOptions;
}

export function budgetFrom(env: NodeJS.ProcessEnv): BudgetOptions | undefined {
  const perDay = numeric(env, 'PHONE_VERIFICATION_DAILY_BUDGET');
  const perKey = numeric(env, 'PHONE_VERIFICATION_DAILY_BUDGET_PER_KEY');
  if (perDay === undefined && perKey === undefined) return undefined;
  return {
    maxBilledPerDay: perDay,
    perKey: perKey === undefined ? undefined : { maxBilledPerDay: perKey },
    failOpen:
      text(env, 'PHONE_VERIFICATION_BUDGET_FAIL_OPEN')?.toLowerCase() ===
      'true',
  };
}

export function resultCodesFrom(
  env: NodeJS.ProcessEnv,
): ResultCodeOverrides | undefined {
  const raw = text(env, 'PHONE_VERIFICATION_RESULT_CODES');
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as ResultCodeOverrides;
  } catch {
    throw new InvalidPhoneVerificationEnvError(
      'PHONE_VERIFICATION_RESULT_CODES',
      'must be JSON, e.g. {"-4":{"status":"inconsistent","billed":true,"cache":"ttl"}}',
    );
  }
}

/** The variable behind an option, or behind the object an option is part of. */
export function variableOf(option: string): string | undefined {
  if (option.startsWith('resultCodes'))
    return 'PHONE_VERIFICATION_RESULT_CODES';
  return VARIABLES[option];
}

export function circuitBreakerFrom(
  env: NodeJS.ProcessEnv,
): CircuitBreakerOptions | false {
  if (text(env, 'PHONE_VERIFICATION_BREAKER')?.toLowerCase() === 'off') {
    return false;
  }
  return {
    failureRate: numeric(env, 'PHONE_VERIFICATION_BREAKER_FAILURE_RATE'),
    minimumCalls: numeric(env, 'PHONE_VERIFICATION_BREAKER_MIN_CALLS'),
    windowMs: numeric(env, 'PHONE_VERIFICATION_BREAKER_WINDOW_MS'),
    consecutiveFailures: numeric(
      env,
      'PHONE_VERIFICATION_BREAKER_CONSECUTIVE_FAILURES',
    ),
    cooldownMs: numeric(env, 'PHONE_VERIFICATION_BREAKER_COOLDOWN_MS'),
  };
}
