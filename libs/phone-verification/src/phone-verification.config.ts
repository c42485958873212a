import { registerAs } from '@nestjs/config';
import {
  InvalidPhoneVerificationEnvError,
  InvalidPhoneVerificationOptionsError,
} from './errors/boot.errors.js';
import {
  ledgerFromEnv,
  type PhoneVerificationEnvContext,
} from './ledger/ledger-env.js';
import {
  resolvePhoneVerificationOptions,
  type PhoneVerificationModuleOptions,
} from './phone-verification.options.js';
import {
  budgetFrom,
  circuitBreakerFrom,
  numeric,
  redisFrom,
  resultCodesFrom,
  text,
  variableOf,
} from './env-variables.js';

/**
 * Reads the module's options from environment variables and validates them
 * once, so that a bad value fails the boot naming its variable:
 * `ACEDATA_API_TOKEN`, `ACEDATA_BASE_URL`, `ACEDATA_TIMEOUT_MS`;
 * `PHONE_VERIFICATION_RETRY_MAX_ATTEMPTS`; the pacing's
 * `PHONE_VERIFICATION_CALLS_PER_SECOND`; the circuit breaker's
 * `PHONE_VERIFICATION_BREAKER_FAILURE_RATE`, `_MIN_CALLS`, `_WINDOW_MS`,
 * `_CONSECUTIVE_FAILURES`, `_COOLDOWN_MS` (`PHONE_VERIFICATION_BREAKER=off`
 * turns it off); the cache's `PHONE_VERIFICATION_CACHE_TTL_MS` with
 * `PHONE_VERIFICATION_CACHE_SECRET` (default: `PHONE_VERIFICATION_KEY_SECRET`);
 * encryption's `ACEDATA_DATA_KEY` with
 * `ACEDATA_CIPHERTEXT_BLOB`; the shared store's `REDIS_URL` (or
 * `REDIS_CLUSTER_NODES`, or `REDIS_SENTINELS` with `REDIS_SENTINEL_MASTER`;
 * `REDIS_USERNAME`, `REDIS_PASSWORD`, `REDIS_TLS`) with
 * `PHONE_VERIFICATION_KEY_SECRET` (default: the cache secret) and
 * `PHONE_VERIFICATION_REDIS_NAMESPACE`; budgets'
 * `PHONE_VERIFICATION_DAILY_BUDGET`, `PHONE_VERIFICATION_DAILY_BUDGET_PER_KEY`
 * and `PHONE_VERIFICATION_BUDGET_FAIL_OPEN=true`; result code overrides'
 * `PHONE_VERIFICATION_RESULT_CODES` (JSON); the usage ledger's
 * `PHONE_VERIFICATION_LEDGER_*` (or the app's ledger from `context`: its
 * `DATABASE_URL`, its embedded folder). Unset variables take the library's
 * defaults; `overrides` win over the environment (e.g. a sandbox's token
 * and URL).
 */
export function phoneVerificationOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<PhoneVerificationModuleOptions> = {},
  context: PhoneVerificationEnvContext = {},
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
            // One secret serves every use (each derives its own key).
            secret:
              env.PHONE_VERIFICATION_CACHE_SECRET ??
              env.PHONE_VERIFICATION_KEY_SECRET ??
              '',
          },
        }),
    redis: redisFrom(env),
    budget: budgetFrom(env),
    resultCodes: resultCodesFrom(env),
    ledger: ledgerFromEnv(env, context),
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
