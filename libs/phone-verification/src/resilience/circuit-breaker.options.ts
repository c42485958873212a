import { wholeNumberOption } from '../option-checks.js';
import { InvalidPhoneVerificationOptionsError } from '../errors/boot.errors.js';

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

/** Validates `circuitBreaker` and applies its defaults; `false` when it is off. */
export function resolveCircuitBreaker(
  breaker: CircuitBreakerOptions | false | undefined,
): ResolvedCircuitBreakerOptions | false {
  if (breaker === false) return false;
  const b = breaker ?? {};
  const cooldownMs = wholeNumberOption(
    'circuitBreaker.cooldownMs',
    b.cooldownMs ?? 30_000,
    1,
    3_600_000,
  );
  if (b.consecutiveFailures !== undefined) {
    return {
      kind: 'consecutive',
      consecutiveFailures: wholeNumberOption(
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
    minimumCalls: wholeNumberOption(
      'circuitBreaker.minimumCalls',
      b.minimumCalls ?? 10,
      1,
      1_000_000,
    ),
    windowMs: wholeNumberOption(
      'circuitBreaker.windowMs',
      b.windowMs ?? 10_000,
      1_000,
      3_600_000,
    ),
    cooldownMs,
  };
}
