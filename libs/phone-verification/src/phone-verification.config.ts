import { registerAs } from '@nestjs/config';
import {
  InvalidPhoneVerificationEnvError,
  InvalidPhoneVerificationOptionsError,
} from './errors/boot.errors.js';
import { ledgerFromLibraryEnv } from './ledger/ledger-env.js';
import {
  resolvePhoneVerificationOptions,
  type PhoneVerificationModuleOptions,
} from './phone-verification.options.js';
import type { CircuitBreakerOptions } from './resilience/circuit-breaker.options.js';
import type { BudgetOptions } from './budget/budget.options.js';
import type { ResultCodeOverrides } from './acedata/result-codes.options.js';
import type { RedisOptions } from './shared-store/shared-store.options.js';

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

function text(env: NodeJS.ProcessEnv, variable: string): string | undefined {
  const raw = env[variable]?.trim();
  return raw ? raw : undefined;
}

function numeric(env: NodeJS.ProcessEnv, variable: string): number | undefined {
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
function redisFrom(env: NodeJS.ProcessEnv): RedisOptions | undefined {
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

function budgetFrom(env: NodeJS.ProcessEnv): BudgetOptions | undefined {
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

function resultCodesFrom(
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
function variableOf(option: string): string | undefined {
  if (option.startsWith('resultCodes'))
    return 'PHONE_VERIFICATION_RESULT_CODES';
  return VARIABLES[option];
}

function circuitBreakerFrom(
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

/**
 * Reads the module's options from environment variables and validates them
 * once, so that a bad value fails the boot naming its variable:
 * `ACEDATA_API_TOKEN`, `ACEDATA_BASE_URL`, `ACEDATA_TIMEOUT_MS`;
 * `PHONE_VERIFICATION_RETRY_MAX_ATTEMPTS`; the pacing's
 * `PHONE_VERIFICATION_CALLS_PER_SECOND`; the circuit breaker's
 * `PHONE_VERIFICATION_BREAKER_FAILURE_RATE`, `_MIN_CALLS`, `_WINDOW_MS`,
 * `_CONSECUTIVE_FAILURES`, `_COOLDOWN_MS` (`PHONE_VERIFICATION_BREAKER=off`
 * turns it off); the cache's `PHONE_VERIFICATION_CACHE_TTL_MS` with
 * `PHONE_VERIFICATION_CACHE_SECRET`; encryption's `ACEDATA_DATA_KEY` with
 * `ACEDATA_CIPHERTEXT_BLOB`; the shared store's `REDIS_URL` (or
 * `REDIS_CLUSTER_NODES`, or `REDIS_SENTINELS` with `REDIS_SENTINEL_MASTER`;
 * `REDIS_USERNAME`, `REDIS_PASSWORD`, `REDIS_TLS`) with
 * `PHONE_VERIFICATION_KEY_SECRET` (default: the cache secret) and
 * `PHONE_VERIFICATION_REDIS_NAMESPACE`; budgets'
 * `PHONE_VERIFICATION_DAILY_BUDGET`, `PHONE_VERIFICATION_DAILY_BUDGET_PER_KEY`
 * and `PHONE_VERIFICATION_BUDGET_FAIL_OPEN=true`; result code overrides'
 * `PHONE_VERIFICATION_RESULT_CODES` (JSON). Unset variables take the
 * library's defaults;
 * `overrides` win over the environment (e.g. a sandbox's token and URL).
 */
export function phoneVerificationOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<PhoneVerificationModuleOptions> = {},
): PhoneVerificationModuleOptions {
  const cacheTtlMs = numeric(env, 'PHONE_VERIFICATION_CACHE_TTL_MS');
  const dataKey = text(env, 'ACEDATA_DATA_KEY');
  const maxAttempts = numeric(env, 'PHONE_VERIFICATION_RETRY_MAX_ATTEMPTS');
  const callsPerSecond = numeric(env, 'PHONE_VERIFICATION_CALLS_PER_SECOND');
  const options: PhoneVerificationModuleOptions = {
    apiToken: env.ACEDATA_API_TOKEN ?? '',
    baseUrl: text(env, 'ACEDATA_BASE_URL'),
    timeoutMs: numeric(env, 'ACEDATA_TIMEOUT_MS'),
    retry: maxAttempts === undefined ? undefined : { maxAttempts },
    ...(callsPerSecond === undefined ? {} : { pacing: { callsPerSecond } }),
    circuitBreaker: circuitBreakerFrom(env),
    ...(cacheTtlMs === undefined || cacheTtlMs === 0
      ? {}
      : {
          cache: {
            ttlMs: cacheTtlMs,
            secret: env.PHONE_VERIFICATION_CACHE_SECRET ?? '',
          },
        }),
    redis: redisFrom(env),
    budget: budgetFrom(env),
    resultCodes: resultCodesFrom(env),
    ledger: ledgerFromLibraryEnv(env),
    ...(dataKey === undefined
      ? {}
      : {
          encryption: {
            dataKey,
            ciphertextBlob: text(env, 'ACEDATA_CIPHERTEXT_BLOB') ?? '',
          },
        }),
    ...overrides,
  };
  try {
    resolvePhoneVerificationOptions(options);
  } catch (error) {
    if (error instanceof InvalidPhoneVerificationOptionsError) {
      const variable = variableOf(error.option);
      if (variable) {
        let problem = error.problem.replace(/ \(set [A-Z_]+[^)]*\)$/, '');
        if (error.option.startsWith('resultCodes[')) {
          problem = `${error.option.slice('resultCodes'.length)} ${problem}`;
        }
        throw new InvalidPhoneVerificationEnvError(
          variable,
          variable === 'ACEDATA_API_TOKEN'
            ? `${problem} (if it is in a .env file, load that file with ConfigModule.forRoot())`
            : problem,
        );
      }
    }
    throw error;
  }
  return options;
}

/**
 * A `@nestjs/config` namespace holding the module's options read from the
 * environment by {@link phoneVerificationOptionsFromEnv}, validated when the
 * configuration loads.
 *
 * @example
 * PhoneVerificationModule.forRootAsync(phoneVerificationConfig.asProvider())
 */
export const phoneVerificationConfig = registerAs(
  'phoneVerification',
  (): PhoneVerificationModuleOptions => phoneVerificationOptionsFromEnv(),
);
