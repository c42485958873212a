import type { ResolvedPacingOptions } from './pacing.options.js';
import {
  MAX_RETRY_DEADLINE_MS,
  type ResolvedRetryOptions,
} from './retry.options.js';

/**
 * The retry rule with its deadline (no attempt starts later) grown by the
 * turns of the calls that may wait for a pacing slot ahead of this one
 * (`pacing.waiting`), within the longest deadline accepted.
 */
export function withPacingWait(
  retry: ResolvedRetryOptions,
  pacing: ResolvedPacingOptions | false,
): ResolvedRetryOptions {
  if (!pacing || pacing.waiting === 0) return retry;
  const waitMs = (pacing.waiting / pacing.callsPerSecond) * 1000;
  return {
    ...retry,
    deadlineMs: Math.min(
      MAX_RETRY_DEADLINE_MS,
      Math.ceil(retry.deadlineMs + waitMs),
    ),
  };
}

/**
 * The longest one verification's upstream call can last: its last attempt
 * (retried, or waiting for a pacing slot) starts before the retry deadline,
 * then takes at most one timeout. One attempt, unpaced: one timeout. The
 * single flight's lease and the ledger's "sent" rows last this long, so
 * they follow any change to retries, pacing or the timeout. `retry` is
 * the rule {@link withPacingWait} gave.
 */
export function callDeadlineMs(
  retry: Pick<ResolvedRetryOptions, 'maxAttempts' | 'deadlineMs'>,
  pacing: ResolvedPacingOptions | false,
  timeoutMs: number,
): number {
  return (retry.maxAttempts > 1 || pacing ? retry.deadlineMs : 0) + timeoutMs;
}
