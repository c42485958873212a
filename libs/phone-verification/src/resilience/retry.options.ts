import { wholeNumberOption } from '../option-checks.js';

/** Retries of calls that cannot have been billed (429, 5xx, refused connections, codes -2/-3). */
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

/** The longest `deadlineMs` accepted. */
export const MAX_RETRY_DEADLINE_MS = 600_000;

/** The retry rule after validation; `maxAttempts: 1` when retries are off. */
export type ResolvedRetryOptions = Readonly<Required<RetryOptions>>;

/** Validates `retry` and applies its defaults; `false` means one attempt. */
export function resolveRetry(
  retry: RetryOptions | false | undefined,
): ResolvedRetryOptions {
  const r = retry === false ? { maxAttempts: 1 } : (retry ?? {});
  return {
    maxAttempts: wholeNumberOption(
      'retry.maxAttempts',
      r.maxAttempts ?? 3,
      1,
      10,
    ),
    baseDelayMs: wholeNumberOption(
      'retry.baseDelayMs',
      r.baseDelayMs ?? 200,
      0,
      60_000,
    ),
    maxDelayMs: wholeNumberOption(
      'retry.maxDelayMs',
      r.maxDelayMs ?? 5_000,
      0,
      300_000,
    ),
    deadlineMs: wholeNumberOption(
      'retry.deadlineMs',
      r.deadlineMs ?? 30_000,
      1,
      MAX_RETRY_DEADLINE_MS,
    ),
    maxRetryAfterMs: wholeNumberOption(
      'retry.maxRetryAfterMs',
      r.maxRetryAfterMs ?? 10_000,
      0,
      600_000,
    ),
  };
}
