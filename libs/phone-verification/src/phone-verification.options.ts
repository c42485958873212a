import type { PhoneVerificationCacheStore } from './cache/cache-store.interface.js';
import type {
  EncryptableField,
  VerifyMode,
} from './dto/phone-verification-request.js';
import {
  ENCRYPTABLE_FIELDS,
  VERIFY_MODES,
} from './dto/phone-verification-request.js';
import type { VerificationEvent } from './events/verification-event.js';
import { InvalidPhoneVerificationOptionsError } from './phone-verification-options.error.js';
import {
  resolveBudget,
  type BudgetOptions,
  type ResolvedBudgetOptions,
} from './budget/budget.options.js';
import {
  resolveRedis,
  type RedisOptions,
  type ResolvedRedisOptions,
} from './shared-store/shared-store.options.js';

/** AceData's production API. */
export const DEFAULT_BASE_URL = 'https://api.acedata.cloud';
/** Carriers answer in tens of ms to seconds; past this we give up (and may have been billed). */
export const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_TIMEOUT_MS = 120_000;

/** Retries of calls that cannot have been billed (429, 5xx, refused/reset, codes -2/-3). */
export interface RetryOptions {
  /** Total attempts, the first included. Default 3; 1 disables retries. */
  maxAttempts?: number;
  /** First backoff ceiling; full jitter picks a delay up to base·2^n. Default 200. */
  baseDelayMs?: number;
  /** Largest backoff. Default 5000. */
  maxDelayMs?: number;
  /** No attempt starts later than this after `verify()` was called. Default 30000. */
  deadlineMs?: number;
  /** A longer `Retry-After` is not waited for: the 429 is thrown. Default 10000. */
  maxRetryAfterMs?: number;
}

/**
 * The circuit breaker around verifications. It counts failed verifications
 * (a verification's retries are one failure, not several), and opens either
 * on a failure rate (the default: more than `failureRate` of the
 * verifications in the last `windowMs` failed, once there were at least
 * `minimumCalls` of them) or, when `consecutiveFailures` is set, after that
 * many failed verifications in a row. Results, bad input and rejected
 * credentials are not failures of AceData.
 */
export interface CircuitBreakerOptions {
  /** Share of failed verifications that opens it, between 0 and 1 (exclusive). Default 0.5. */
  failureRate?: number;
  /** Fewer verifications than this in the window never open it. Default 10. */
  minimumCalls?: number;
  /** The sliding window the rate is measured over. Default 10000. */
  windowMs?: number;
  /** Open after this many failed verifications in a row instead of on a rate. */
  consecutiveFailures?: number;
  /** How long it stays open before one probe call is let through. Default 30000. */
  cooldownMs?: number;
}

/** The circuit breaker's rule after validation. */
export type ResolvedCircuitBreakerOptions =
  | {
      readonly kind: 'rate';
      readonly failureRate: number;
      readonly minimumCalls: number;
      readonly windowMs: number;
      readonly cooldownMs: number;
    }
  | {
      readonly kind: 'consecutive';
      readonly consecutiveFailures: number;
      readonly cooldownMs: number;
    };

/** Send chosen fields encrypted (AES-256-CBC) under the app's data key. */
export interface EncryptionOptions {
  /** The 32-byte data key: a Buffer, or its base64. A secret. */
  dataKey: string | Buffer;
  /** The data key wrapped by AceData's key service, sent as `ciphertext_blob`. */
  ciphertextBlob: string;
  /** Which fields to encrypt. Default all three. */
  fields?: EncryptableField[];
}

/** The opt-in result cache. */
export interface CacheOptions {
  /** How long answers 0 and 1 are kept. (-6 is kept until midnight in China.) */
  ttlMs: number;
  /** The HMAC secret for cache keys (e.g. PHONE_VERIFICATION_CACHE_SECRET), ≥ 32 characters. */
  secret: string;
  /** A Keyv / cache-manager store, e.g. Redis shared by instances. Default: in-memory LRU. */
  store?: PhoneVerificationCacheStore;
  /** Size of the default LRU store. Default 10000. */
  maxEntries?: number;
}

/** What `PhoneVerificationModule.forRoot()` takes. */
export interface PhoneVerificationModuleOptions {
  /** The AceData API token (a secret). Required. */
  apiToken: string;
  /** The API's base URL. Default {@link DEFAULT_BASE_URL}; `http://` only to loopback. */
  baseUrl?: string;
  /** How long one call may take, in ms. Default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** The verify mode when a request names none. Default `short`. */
  defaultVerifyMode?: VerifyMode;
  /** Safe retries; `false` disables them. */
  retry?: RetryOptions | false;
  /** The circuit breaker; `false` disables it. */
  circuitBreaker?: CircuitBreakerOptions | false;
  /** Share one upstream call among concurrent identical verifications. Default true. */
  dedupe?: boolean;
  /** Cache definitive answers (off unless given). */
  cache?: CacheOptions;
  /** Encrypt fields on the wire (off unless given); validation runs first. */
  encryption?: EncryptionOptions;
  /** A Redis shared by the instances: cache, single flight and budgets (off unless given). */
  redis?: RedisOptions;
  /** Daily caps on billed calls, checked before each call (off unless given). */
  budget?: BudgetOptions;
  /** Called once per verification with a subject-free event, for metrics and spend. */
  onVerification?: (event: VerificationEvent) => void;
}

/** The options after validation, with every default applied. */
export interface ResolvedPhoneVerificationOptions {
  readonly apiToken: string;
  /** Without a trailing slash. */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly defaultVerifyMode: VerifyMode;
  readonly retry: Required<RetryOptions> | false;
  readonly circuitBreaker: ResolvedCircuitBreakerOptions | false;
  readonly dedupe: boolean;
  readonly cache:
    | (Required<Omit<CacheOptions, 'store'>> & Pick<CacheOptions, 'store'>)
    | false;
  readonly encryption:
    | {
        readonly dataKey: Buffer;
        readonly ciphertextBlob: string;
        readonly fields: readonly EncryptableField[];
      }
    | false;
  readonly redis: ResolvedRedisOptions | false;
  readonly budget: ResolvedBudgetOptions | false;
  readonly onVerification?: (event: VerificationEvent) => void;
}

export { InvalidPhoneVerificationOptionsError } from './phone-verification-options.error.js';

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

function resolveBaseUrl(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') return DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new InvalidPhoneVerificationOptionsError(
      'baseUrl',
      'is not a valid URL (e.g. https://api.acedata.cloud)',
    );
  }
  if (url.username || url.password) {
    throw new InvalidPhoneVerificationOptionsError(
      'baseUrl',
      'must not contain credentials',
    );
  }
  if (url.search || url.hash) {
    throw new InvalidPhoneVerificationOptionsError(
      'baseUrl',
      'must not have a query or fragment',
    );
  }
  if (url.pathname !== '/') {
    // The library appends /identity/phone/check-3e itself.
    throw new InvalidPhoneVerificationOptionsError(
      'baseUrl',
      `must be only the origin (e.g. ${DEFAULT_BASE_URL}), without a path: the endpoint's path is added by the library`,
    );
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new InvalidPhoneVerificationOptionsError(
      'baseUrl',
      'uses http:// to a host that is not loopback; the API token would cross the network in plaintext, use https://',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidPhoneVerificationOptionsError(
      'baseUrl',
      'must be an https:// URL',
    );
  }
  return url.href.replace(/\/+$/, '');
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
  const token =
    typeof options.apiToken === 'string' ? options.apiToken.trim() : '';
  if (token === '') {
    throw new InvalidPhoneVerificationOptionsError(
      'apiToken',
      'is missing or blank (set ACEDATA_API_TOKEN when using phoneVerificationConfig)',
    );
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new InvalidPhoneVerificationOptionsError(
      'apiToken',
      'contains spaces or non-printable characters',
    );
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (
    !Number.isInteger(timeoutMs) ||
    timeoutMs <= 0 ||
    timeoutMs > MAX_TIMEOUT_MS
  ) {
    throw new InvalidPhoneVerificationOptionsError(
      'timeoutMs',
      `must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`,
    );
  }
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
  const retry = resolveRetry(options.retry);
  const cache = resolveCache(options.cache);
  return {
    apiToken: token,
    baseUrl: resolveBaseUrl(options.baseUrl),
    timeoutMs,
    defaultVerifyMode,
    retry,
    circuitBreaker: resolveCircuitBreaker(options.circuitBreaker),
    dedupe: options.dedupe ?? true,
    cache,
    encryption: resolveEncryption(options.encryption),
    // A leader's call lasts at most the retry deadline plus one timeout.
    redis: resolveRedis(
      options.redis,
      cache ? cache.secret : undefined,
      (retry ? retry.deadlineMs : 0) + timeoutMs,
    ),
    budget: resolveBudget(options.budget),
    onVerification: options.onVerification,
  };
}

function whole(
  option: string,
  value: number,
  min: number,
  max: number,
): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidPhoneVerificationOptionsError(
      option,
      `must be a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

function resolveRetry(
  retry: RetryOptions | false | undefined,
): Required<RetryOptions> | false {
  if (retry === false) return false;
  const r = retry ?? {};
  return {
    maxAttempts: whole('retry.maxAttempts', r.maxAttempts ?? 3, 1, 10),
    baseDelayMs: whole('retry.baseDelayMs', r.baseDelayMs ?? 200, 0, 60_000),
    maxDelayMs: whole('retry.maxDelayMs', r.maxDelayMs ?? 5_000, 0, 300_000),
    deadlineMs: whole('retry.deadlineMs', r.deadlineMs ?? 30_000, 1, 600_000),
    maxRetryAfterMs: whole(
      'retry.maxRetryAfterMs',
      r.maxRetryAfterMs ?? 10_000,
      0,
      600_000,
    ),
  };
}

function resolveCircuitBreaker(
  breaker: CircuitBreakerOptions | false | undefined,
): ResolvedCircuitBreakerOptions | false {
  if (breaker === false) return false;
  const b = breaker ?? {};
  const cooldownMs = whole(
    'circuitBreaker.cooldownMs',
    b.cooldownMs ?? 30_000,
    1,
    3_600_000,
  );
  if (b.consecutiveFailures !== undefined) {
    return {
      kind: 'consecutive',
      consecutiveFailures: whole(
        'circuitBreaker.consecutiveFailures',
        b.consecutiveFailures,
        1,
        1_000,
      ),
      cooldownMs,
    };
  }
  const failureRate = b.failureRate ?? 0.5;
  if (
    typeof failureRate !== 'number' ||
    !(failureRate > 0 && failureRate < 1)
  ) {
    throw new InvalidPhoneVerificationOptionsError(
      'circuitBreaker.failureRate',
      'must be a number between 0 and 1 (exclusive), e.g. 0.5',
    );
  }
  return {
    kind: 'rate',
    failureRate,
    minimumCalls: whole(
      'circuitBreaker.minimumCalls',
      b.minimumCalls ?? 10,
      1,
      1_000_000,
    ),
    windowMs: whole(
      'circuitBreaker.windowMs',
      b.windowMs ?? 10_000,
      1_000,
      3_600_000,
    ),
    cooldownMs,
  };
}

function resolveCache(
  cache: CacheOptions | undefined,
): ResolvedPhoneVerificationOptions['cache'] {
  if (cache === undefined) return false;
  if (typeof cache.secret !== 'string' || cache.secret.length < 32) {
    throw new InvalidPhoneVerificationOptionsError(
      'cache.secret',
      'must be at least 32 characters (set PHONE_VERIFICATION_CACHE_SECRET)',
    );
  }
  if (
    cache.store !== undefined &&
    (typeof cache.store.get !== 'function' ||
      typeof cache.store.set !== 'function')
  ) {
    throw new InvalidPhoneVerificationOptionsError(
      'cache.store',
      'must have get() and set() (a Keyv or cache-manager store)',
    );
  }
  return {
    ttlMs: whole('cache.ttlMs', cache.ttlMs, 1, 365 * 86_400_000),
    secret: cache.secret,
    store: cache.store,
    maxEntries: whole(
      'cache.maxEntries',
      cache.maxEntries ?? 10_000,
      1,
      10_000_000,
    ),
  };
}

function resolveEncryption(
  encryption: EncryptionOptions | undefined,
): ResolvedPhoneVerificationOptions['encryption'] {
  if (encryption === undefined) return false;
  const key = Buffer.isBuffer(encryption.dataKey)
    ? encryption.dataKey
    : Buffer.from(String(encryption.dataKey ?? ''), 'base64');
  if (key.length !== 32) {
    throw new InvalidPhoneVerificationOptionsError(
      'encryption.dataKey',
      'must be 32 bytes (a Buffer, or its base64)',
    );
  }
  if (
    typeof encryption.ciphertextBlob !== 'string' ||
    encryption.ciphertextBlob.trim() === ''
  ) {
    throw new InvalidPhoneVerificationOptionsError(
      'encryption.ciphertextBlob',
      'is required with encryption',
    );
  }
  const fields = encryption.fields ?? ENCRYPTABLE_FIELDS;
  if (
    fields.length === 0 ||
    fields.some((f) => !ENCRYPTABLE_FIELDS.includes(f))
  ) {
    throw new InvalidPhoneVerificationOptionsError(
      'encryption.fields',
      `must list some of: ${ENCRYPTABLE_FIELDS.join(', ')}`,
    );
  }
  return {
    dataKey: key,
    ciphertextBlob: encryption.ciphertextBlob.trim(),
    fields: [...new Set(fields)],
  };
}
