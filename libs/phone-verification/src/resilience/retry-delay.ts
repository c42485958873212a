import { UpstreamRateLimitedError } from '../errors/upstream-api.errors.js';
import type { ResolvedRetryOptions } from './retry.options.js';

/**
 * How long to wait before attempt `attempt + 1`, after attempt `attempt`
 * (1-based) failed with `error` (`undefined` for an engine-failure result);
 * `undefined` means do not retry. Exponential backoff with full jitter: a
 * uniformly random delay up to base·2^(attempt-1), capped at `maxDelayMs`,
 * replaced by the upstream's `Retry-After` when it sent one, unless that is
 * longer than `maxRetryAfterMs`. Pure: the caller supplies `random`.
 */
export function nextRetryDelay(
  options: ResolvedRetryOptions,
  attempt: number,
  error: Error | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (
    error instanceof UpstreamRateLimitedError &&
    error.retryAfterMs !== undefined
  ) {
    return error.retryAfterMs > options.maxRetryAfterMs
      ? undefined
      : error.retryAfterMs;
  }
  const ceiling = Math.min(
    options.maxDelayMs,
    options.baseDelayMs * 2 ** (attempt - 1),
  );
  return Math.round(random() * ceiling);
}
