import {
  resolveAceDataClientOptions,
  type AceDataClientOptions,
  type ResolvedAceDataClientOptions,
} from './acedata/acedata-client.options.js';
import { callDeadlineMs, withPacingWait } from './resilience/call-deadline.js';
import {
  resolveBudget,
  type BudgetOptions,
  type ResolvedBudgetOptions,
} from './budget/budget.options.js';
import {
  resolveCache,
  type CacheOptions,
  type ResolvedCacheOptions,
} from './cache/cache.options.js';
import type { VerifyMode } from './dto/phone-verification-request.js';
import {
  resolveLedger,
  type LedgerOptions,
  type ResolvedLedgerOptions,
} from './ledger/ledger.options.js';
import { VERIFY_MODES } from './dto/phone-verification-request.js';
import type { VerificationEvent } from './events/verification-event.js';
import { InvalidPhoneVerificationOptionsError } from './errors/boot.errors.js';
import { rejectUnknownOptions } from './option-keys.js';
import {
  resolveCircuitBreaker,
  type CircuitBreakerOptions,
} from './resilience/circuit-breaker.options.js';
import { resolveRetry, type RetryOptions } from './resilience/retry.options.js';
import {
  resolvePacing,
  type PacingOptions,
} from './resilience/pacing.options.js';
import type { ResilienceOptions } from './resilience/upstream-resilience.js';
import {
  resolveRedis,
  type RedisOptions,
  type ResolvedRedisOptions,
} from './shared-store/shared-store.options.js';

/** What `PhoneVerificationModule.forRoot()` takes. */
export interface PhoneVerificationModuleOptions extends AceDataClientOptions {
  /** The verify mode when a request names none. Default `short`. */
  defaultVerifyMode?: VerifyMode;
  /** Safe retries; `false` disables them. */
  retry?: RetryOptions | false;
  /** A ceiling on this instance's upstream calls per second (off unless given). */
  pacing?: PacingOptions | false;
  /** The circuit breaker; `false` disables it. */
  circuitBreaker?: CircuitBreakerOptions | false;
  /** Share one upstream call among concurrent identical verifications. Default true. */
  dedupe?: boolean;
  /** Cache definitive answers (off unless given). */
  cache?: CacheOptions;
  /** A Redis shared by the instances: cache, single flight and budgets (off unless given). */
  redis?: RedisOptions;
  /** Daily caps on billed calls, checked before each call (off unless given). */
  budget?: BudgetOptions;
  /** The usage ledger: every verification on record (off unless given). */
  ledger?: LedgerOptions;
  /** Called once per verification with a subject-free event, for metrics and spend. */
  onVerification?: (event: VerificationEvent) => void;
}

/**
 * The options after validation, with every default applied, in one slice
 * per feature; each part of the library is given only its own.
 */
export interface ResolvedPhoneVerificationOptions {
  readonly client: ResolvedAceDataClientOptions;
  readonly resilience: ResilienceOptions;
  readonly defaultVerifyMode: VerifyMode;
  readonly dedupe: boolean;
  readonly cache: ResolvedCacheOptions | false;
  readonly redis: ResolvedRedisOptions | false;
  readonly budget: ResolvedBudgetOptions | false;
  readonly ledger: ResolvedLedgerOptions | false;
  readonly onVerification?: (event: VerificationEvent) => void;
}

/**
 * Validates the options and applies defaults. Runs when the module is
 * instantiated, so a bad configuration stops the app at boot rather than
 * failing the first verification.
 */
export function resolvePhoneVerificationOptions(
  options: PhoneVerificationModuleOptions | undefined,
): ResolvedPhoneVerificationOptions {
  if (
    options === undefined ||
    options === null ||
    typeof options !== 'object'
  ) {
    throw new InvalidPhoneVerificationOptionsError(
      'apiToken',
      'is required (no options were given)',
    );
  }
  rejectUnknownOptions(options);
  const client = resolveAceDataClientOptions(options);
  const defaultVerifyMode = options.defaultVerifyMode ?? 'short';
  if (!VERIFY_MODES.includes(defaultVerifyMode)) {
    throw new InvalidPhoneVerificationOptionsError(
      'defaultVerifyMode',
      `must be one of: ${VERIFY_MODES.join(', ')}`,
    );
  }
  if (
    options.onVerification !== undefined &&
    typeof options.onVerification !== 'function'
  ) {
    throw new InvalidPhoneVerificationOptionsError(
      'onVerification',
      'must be a function',
    );
  }
  const pacing = resolvePacing(options.pacing);
  const retry = withPacingWait(resolveRetry(options.retry), pacing);
  const cache = resolveCache(options.cache);
  const callMs = callDeadlineMs(retry, pacing, client.timeoutMs);
  return {
    client,
    resilience: {
      retry,
      circuitBreaker: resolveCircuitBreaker(options.circuitBreaker),
      pacing,
      resultCodes: client.resultCodes,
    },
    defaultVerifyMode,
    dedupe: options.dedupe ?? true,
    cache,
    redis: resolveRedis(
      options.redis,
      cache ? cache.secret : undefined,
      callMs,
    ),
    budget: resolveBudget(options.budget),
    ledger: resolveLedger(options.ledger, callMs),
    onVerification: options.onVerification,
  };
}
