// The public API of the library: nothing outside this file is supported.

export { PhoneVerificationModule } from './phone-verification.module.js';
export type { PhoneVerificationModuleExtras } from './phone-verification.module-definition.js';
export { PHONE_VERIFICATION_MODULE_OPTIONS } from './phone-verification.module-definition.js';
export type { PhoneVerificationModuleOptions } from './phone-verification.options.js';
export { DEFAULT_BASE_URL } from './acedata/acedata-client.options.js';
export type { EncryptionOptions } from './acedata/encryption.options.js';
export type { CacheOptions } from './cache/cache.options.js';
export type { CircuitBreakerOptions } from './resilience/circuit-breaker.options.js';
export type { RetryOptions } from './resilience/retry.options.js';
// `--rate`-like arguments are checked by the module's own pacing rule.
export {
  resolvePacing,
  type PacingOptions,
} from './resilience/pacing.options.js';
export {
  EmbeddedLedgerInUseError,
  InvalidPhoneVerificationEnvError,
  InvalidPhoneVerificationOptionsError,
  RedisClusterNodeAsUrlError,
  UnsafeEvictionPolicyError,
} from './errors/boot.errors.js';
export {
  PHONE_VERIFICATION_CACHE_STORE,
  PHONE_VERIFICATION_CLOCK,
  PHONE_VERIFICATION_LEDGER,
  PHONE_VERIFICATION_SHARED_STORE,
} from './phone-verification.constants.js';
export type { Clock } from './clock.js';
export type { CircuitBreakerState } from './resilience/circuit-breaker.js';
export type { VerificationEvent } from './events/verification-event.js';
export { upstreamSpanAttributes } from './events/verification-tracing.js';
export type { PhoneVerificationCacheStore } from './cache/cache-store.interface.js';
export { LruCacheStore } from './cache/lru-cache.store.js';
export {
  phoneVerificationConfig,
  phoneVerificationOptionsFromEnv,
} from './phone-verification.config.js';
export { PhoneVerificationService } from './phone-verification.service.js';
export type { VerifyOptions } from './dto/verify-options.js';

export {
  ENCRYPTABLE_FIELDS,
  VERIFY_MODES,
  type EncryptableField,
  type EncryptedFields,
  type PhoneVerificationRequest,
  type VerifyMode,
  type VerifyModeInput,
} from './dto/phone-verification-request.js';
export {
  CARRIERS,
  PHONE_VERIFICATION_STATUSES,
  chargedForThisCall,
  mayHaveChargedThisCall,
  type Carrier,
  type MismatchDetail,
  type PhoneVerificationResult,
  type PhoneVerificationStatus,
} from './dto/phone-verification-result.js';
export { VerifyPhoneDto } from './validation/verify-phone.dto.js';

export {
  PhoneVerificationError,
  type PhoneVerificationErrorCode,
} from './errors/phone-verification.error.js';
export {
  InvalidInputError,
  type FieldProblem,
} from './errors/invalid-input.error.js';
// One class per way AceData or the network failed: the `…/errors` entry.
export { UpstreamUnavailableError } from './errors/upstream-unavailable.error.js';
export {
  BudgetExhaustedError,
  BudgetStoreUnavailableError,
} from './errors/budget.errors.js';
export { SharedVerificationError } from './errors/shared-verification.error.js';
export type { BudgetOptions } from './budget/budget.options.js';
export { LedgerUnavailableError } from './errors/ledger.errors.js';
export type { LedgerOptions } from './ledger/ledger.options.js';
export type { PhoneVerificationEnvContext } from './ledger/ledger-env.js';
export type { LedgerSql, LedgerSqlTransaction } from './ledger/ledger-sql.js';
export type { PostgresLedgerOptions } from './ledger/postgres-ledger-sql.js';
export type { PgliteLedgerOptions } from './ledger/pglite-ledger-sql.js';
export type { AnsweredBy } from './ledger/ledger-row.js';
export type {
  UsageByCode,
  UsageCounts,
  UsageDay,
  UsageQuery,
  UsageReport,
} from './ledger/usage-report.js';
export type { UsageLedger } from './ledger/usage-ledger.js';
export type {
  RecentQuery,
  RecentVerification,
} from './ledger/recent-verifications.js';
export type { OutcomeReport } from './ledger/outcome-report.js';
export { chinaDay } from './china-time.js';
export { takeLockFile, type LockFileHolder } from './lock-file.js';
export { openUsageLedger } from './ledger/open-usage-ledger.js';
export type { BudgetUsage } from './budget/spend-budget.js';
export type { BudgetCounterLoss } from './budget/budget-ledger.js';
export type {
  RedisOptions,
  SingleFlightOptions,
} from './shared-store/shared-store.options.js';
export type { PhoneVerificationSharedStore } from './shared-store/shared-redis.js';
export {
  type RedisAuthOptions,
  type RedisClientLike,
  type RedisConnectionOptions,
  type RedisTarget,
} from './shared-store/redis-client.js';
export type {
  PhoneVerificationHealth,
  SharedStoreReport,
} from './health/phone-verification-health.js';

export { PhoneVerificationExceptionFilter } from './filters/phone-verification-exception.filter.js';
export {
  httpAnswerFor,
  type PhoneVerificationErrorBody,
  type PhoneVerificationHttpAnswer,
} from './filters/http-answer.js';

// AceData's wire format (request and answer shapes, result codes): the
// `…/wire` entry.
export type {
  ResultCodeOverride,
  ResultCodeOverrides,
} from './acedata/result-codes.options.js';

// The field rules (validators, decorators): the `…/validation` entry.
export { invalidInputExceptionFactory } from './validation/validation-exception.factory.js';

export { maskIdCard, maskName, maskPhone } from './privacy/masking.js';
export {
  identityDigest,
  legacyIdentityDigest,
  type DigestUse,
} from './privacy/identity-digest.js';
