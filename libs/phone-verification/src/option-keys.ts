import { InvalidPhoneVerificationOptionsError } from './errors/boot.errors.js';

/**
 * Every option the module takes, by where it sits: a key not listed here is
 * a typo (`reddis`, `cache.ttl`) that would otherwise be ignored silently,
 * so it fails the boot, naming it. Objects given whole (your Redis client,
 * a cache store, a ledger store) are not looked into.
 */
const OPTION_KEYS: Record<string, readonly string[]> = {
  '': [
    'apiToken',
    'baseUrl',
    'timeoutMs',
    'encryption',
    'configureHttpClient',
    'resultCodes',
    'defaultVerifyMode',
    'retry',
    'pacing',
    'circuitBreaker',
    'dedupe',
    'cache',
    'redis',
    'budget',
    'ledger',
    'onVerification',
  ],
  encryption: ['dataKey', 'ciphertextBlob', 'fields'],
  retry: [
    'maxAttempts',
    'baseDelayMs',
    'maxDelayMs',
    'deadlineMs',
    'maxRetryAfterMs',
  ],
  pacing: ['callsPerSecond', 'waiting'],
  circuitBreaker: [
    'failureRate',
    'minimumCalls',
    'windowMs',
    'consecutiveFailures',
    'cooldownMs',
  ],
  cache: ['ttlMs', 'secret', 'store', 'maxEntries'],
  redis: [
    'url',
    'client',
    'cluster',
    'sentinel',
    'username',
    'password',
    'tls',
    'namespace',
    'secret',
    'commandTimeoutMs',
    'singleFlight',
  ],
  'redis.cluster': ['nodes'],
  'redis.sentinel': ['sentinels', 'masterName'],
  'redis.singleFlight': ['leaseMarginMs', 'pollMs', 'maxWaitMs'],
  budget: ['maxBilledPerDay', 'perKey', 'failOpen'],
  'budget.perKey': ['maxBilledPerDay'],
  ledger: [
    'store',
    'secret',
    'whenStoreDown',
    'spoolDir',
    'retentionDays',
    'replica',
  ],
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  Object.getPrototypeOf(value) === Object.prototype;

/** Throws naming the first key of `options` the module does not take. */
export function rejectUnknownOptions(options: object): void {
  const visit = (path: string, value: Record<string, unknown>): void => {
    const known = OPTION_KEYS[path];
    for (const key of Object.keys(value)) {
      const at = path ? `${path}.${key}` : key;
      if (!known.includes(key)) {
        throw new InvalidPhoneVerificationOptionsError(
          at,
          `is not an option of the module (${path ? `"${path}" takes` : 'it takes'}: ${known.join(', ')})`,
        );
      }
      const inner = value[key];
      if (OPTION_KEYS[at] && isPlainObject(inner)) visit(at, inner);
    }
  };
  visit('', options as Record<string, unknown>);
}
