import type { PhoneVerificationStatus } from '../dto/phone-verification-result.js';
import type { PhoneVerificationErrorCode } from '../errors/phone-verification.error.js';

/**
 * Emitted once per `verify()` call (through the `onVerification` option), for
 * metrics and spend accounting. It holds no subject data, by design.
 */
export interface VerificationEvent {
  /** The result's status, or `error`. */
  readonly status: PhoneVerificationStatus | 'error';
  /** The result code, when there was a result. */
  readonly code?: number;
  /** The error's code, when it failed. */
  readonly errorCode?: PhoneVerificationErrorCode;
  /** Whether this call was charged: a billed code fetched from AceData (not the cache, not shared). */
  readonly billed: boolean;
  /** Whether this call may have been charged without a result (a timeout, an unreadable 200). */
  readonly mayHaveBilled: boolean;
  /** Upstream calls this `verify()` made (0 on a cache hit or a shared call). */
  readonly attempts: number;
  /** Answered from the cache. */
  readonly cacheHit: boolean;
  /** Joined an identical call already in flight. */
  readonly shared: boolean;
  /** Time spent in `verify()`. */
  readonly latencyMs: number;
}
